#include "models/winograd.h"

#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/functions/utils.h>

#include <atomic>
#include <cstdlib>
#include <functional>
#include <map>
#include <mutex>
#include <tuple>

#include "core/error.h"
#include "core/precision.h"
#include "core/suggest.h"

#ifdef EGSDE_HAVE_ONEDNN
#include <dnnl.hpp>
#endif

namespace egsde {
namespace {

const std::vector<std::pair<std::string, ConvAlgo>> kAlgos = {{"direct", ConvAlgo::Direct},
                                                              {"winograd", ConvAlgo::Winograd}};

}  // namespace

ConvAlgo parse_conv_algo(const std::string& s) { return parse_named(s, kAlgos, "convolution algorithm"); }
std::string to_string(ConvAlgo a) { return name_of(a, kAlgos); }

namespace {
std::atomic<int64_t> g_calls{0};
}  // namespace

int64_t winograd_calls() { return g_calls.load(); }

#ifdef EGSDE_HAVE_ONEDNN
namespace {

using dnnl::memory;
using Tag = memory::format_tag;
using Dt = memory::data_type;

dnnl::engine& cpu_engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

memory::dims dims_of(const torch::Tensor& t) { return memory::dims(t.sizes().begin(), t.sizes().end()); }

// One shape's primitives with the weights reordered (transformed) once into their layout.
struct Plan {
  dnnl::convolution_forward::primitive_desc fwd_pd;
  dnnl::convolution_forward fwd;
  memory fwd_weights;
  std::optional<dnnl::convolution_backward_data> bwd;  // when the input needs a gradient
  std::optional<dnnl::convolution_backward_data::primitive_desc> bwd_pd;
  memory bwd_weights;
  torch::Tensor bias;  // float32 contiguous or undefined
  std::vector<int64_t> in_sizes, out_sizes;
};

// src (NCHW, user memory) -> the primitive's layout, run, -> NCHW torch tensor. The scratchpad
// (user mode) belongs to the calling thread and grows as needed: concurrent calls from several
// threads share nothing, and a step's calls reuse the same pages.
torch::Tensor run_conv(const dnnl::primitive& prim, const memory::desc& scratch_desc, const memory::desc& src_desc,
                       int src_arg,
                       const memory::desc& dst_desc, int dst_arg, const memory& weights, const torch::Tensor& bias,
                       const torch::Tensor& x, const std::vector<int64_t>& out_sizes) {
  auto& eng = cpu_engine();
  dnnl::stream stream(eng);
  const auto xc = x.contiguous();
  memory user_src({dims_of(xc), Dt::f32, Tag::nchw}, eng, xc.data_ptr<float>());
  memory src = user_src;
  torch::Tensor src_buf;
  if (src_desc != user_src.get_desc()) {
    src_buf = torch::empty({static_cast<int64_t>(src_desc.get_size() / sizeof(float))}, torch::kFloat32);
    src = memory(src_desc, eng, src_buf.data_ptr<float>());
    dnnl::reorder(user_src, src).execute(stream, user_src, src);
  }
  auto out = torch::empty(out_sizes, torch::kFloat32);
  memory user_dst({memory::dims(out_sizes.begin(), out_sizes.end()), Dt::f32, Tag::nchw}, eng, out.data_ptr<float>());
  memory dst = user_dst;
  torch::Tensor dst_buf;
  if (dst_desc != user_dst.get_desc()) {
    dst_buf = torch::empty({static_cast<int64_t>(dst_desc.get_size() / sizeof(float))}, torch::kFloat32);
    dst = memory(dst_desc, eng, dst_buf.data_ptr<float>());
  }
  std::unordered_map<int, memory> args{{src_arg, src}, {DNNL_ARG_WEIGHTS, weights}, {dst_arg, dst}};
  if (bias.defined()) {
    args.emplace(DNNL_ARG_BIAS, memory({{bias.size(0)}, Dt::f32, Tag::x}, eng, bias.data_ptr<float>()));
  }
  if (scratch_desc.get_size() > 0) {
    thread_local torch::Tensor scratch;
    const auto bytes = static_cast<int64_t>(scratch_desc.get_size());
    if (!scratch.defined() || scratch.numel() < bytes) scratch = torch::empty({bytes}, torch::kUInt8);
    args.emplace(DNNL_ARG_SCRATCHPAD, memory(scratch_desc, eng, scratch.data_ptr()));
  }
  prim.execute(stream, args);
  if (dst != user_dst) dnnl::reorder(dst, user_dst).execute(stream, dst, user_dst);
  stream.wait();
  return out;
}

torch::Tensor plan_forward(const Plan& p, const torch::Tensor& x) {
  return run_conv(p.fwd, p.fwd_pd.scratchpad_desc(), p.fwd_pd.src_desc(), DNNL_ARG_SRC, p.fwd_pd.dst_desc(), DNNL_ARG_DST, p.fwd_weights, p.bias,
                  x, p.out_sizes);
}

torch::Tensor plan_backward_data(const Plan& p, const torch::Tensor& grad_out) {
  return run_conv(*p.bwd, p.bwd_pd->scratchpad_desc(), p.bwd_pd->diff_dst_desc(), DNNL_ARG_DIFF_DST, p.bwd_pd->diff_src_desc(), DNNL_ARG_DIFF_SRC,
                  p.bwd_weights, torch::Tensor(), grad_out.to(torch::kFloat32), p.in_sizes);
}

memory reorder_weights(const torch::Tensor& w, const memory::desc& to) {
  auto& eng = cpu_engine();
  memory user({dims_of(w), Dt::f32, Tag::oihw}, eng, w.data_ptr());
  memory out(to, eng);
  dnnl::stream stream(eng);
  dnnl::reorder(user, out).execute(stream, user, out);
  stream.wait();
  return out;
}

// The weight transformed into `desc`, reused across plans (batch sizes) whose layouts agree.
using WeightsFor = std::function<memory(const memory::desc& desc)>;

// nullptr when oneDNN has no Winograd implementation for this shape on this CPU.
std::shared_ptr<Plan> make_plan(const std::vector<int64_t>& in_sizes, const torch::Tensor& weight,
                                const torch::Tensor& bias, bool needs_backward, const WeightsFor& weights_for) {
  auto& eng = cpu_engine();
  const memory::dims src{in_sizes.begin(), in_sizes.end()};
  const memory::dims dst{in_sizes[0], weight.size(0), in_sizes[2], in_sizes[3]};
  const memory::desc any_src(src, Dt::f32, Tag::any), any_dst(dst, Dt::f32, Tag::any),
      any_w(dims_of(weight), Dt::f32, Tag::any);
  const memory::dims strides{1, 1}, pad{1, 1};
  auto p = std::make_shared<Plan>();
  p->in_sizes = in_sizes;
  p->out_sizes = {dst.begin(), dst.end()};
  if (bias.defined()) p->bias = bias.detach().to(torch::kFloat32).contiguous();
  try {
    const auto prop = needs_backward ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference;
    const auto wino = dnnl::algorithm::convolution_winograd;
    const memory::desc bias_md({weight.size(0)}, Dt::f32, Tag::x);
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
#if DNNL_VERSION_MAJOR >= 3  // oneDNN 3 builds primitive descriptors directly (no operation descriptors)
    p->fwd_pd = p->bias.defined() ? dnnl::convolution_forward::primitive_desc(eng, prop, wino, any_src, any_w, bias_md,
                                                                              any_dst, strides, pad, pad, attr)
                                  : dnnl::convolution_forward::primitive_desc(eng, prop, wino, any_src, any_w, any_dst,
                                                                              strides, pad, pad, attr);
#else
    const auto desc = p->bias.defined()
                          ? dnnl::convolution_forward::desc(prop, wino, any_src, any_w, bias_md, any_dst, strides, pad, pad)
                          : dnnl::convolution_forward::desc(prop, wino, any_src, any_w, any_dst, strides, pad, pad);
    p->fwd_pd = dnnl::convolution_forward::primitive_desc(desc, attr, eng);
#endif
    p->fwd = dnnl::convolution_forward(p->fwd_pd);
    p->fwd_weights = weights_for(p->fwd_pd.weights_desc());
    if (needs_backward) {
#if DNNL_VERSION_MAJOR >= 3
      p->bwd_pd.emplace(eng, wino, any_src, any_w, any_dst, strides, pad, pad, p->fwd_pd, attr);
#else
      const dnnl::convolution_backward_data::desc bdesc(wino, any_src, any_w, any_dst, strides, pad, pad);
      p->bwd_pd.emplace(bdesc, attr, eng, p->fwd_pd);
#endif
      p->bwd.emplace(*p->bwd_pd);
      p->bwd_weights = weights_for(p->bwd_pd->weights_desc());
    }
  } catch (const dnnl::error&) {
    return nullptr;  // e.g. channels not a multiple of the SIMD width, or no AVX-512
  }
  return p;
}

// Per weight tensor: its transformed copies (one per layout the plans ask for; batch sizes often
// share one) and its plans by bias, input shape and whether a backward is needed. Holding the
// weight keeps its address from being reused while the entry lives; an entry whose weight was
// written in place (load_state_dict, copy_: another version or storage) starts afresh.
// The plan reads the bias from its storage at each call, so in-place writes to the bias need no
// new plan; a bias given other storage (set_data) gets one through the key.
struct PlanKey {
  const void* bias_data;
  std::vector<int64_t> sizes;
  bool backward;
  bool operator<(const PlanKey& o) const {
    return std::tie(bias_data, sizes, backward) < std::tie(o.bias_data, o.sizes, o.backward);
  }
};
struct WeightEntry {
  torch::Tensor weight;
  const void* data = nullptr;
  uint32_t version = 0;
  std::vector<memory> transformed;
  std::map<PlanKey, std::shared_ptr<Plan>> plans;  // nullptr: oneDNN declined the shape (direct)
};

std::mutex g_mu;
std::map<const void*, WeightEntry> g_weights;

std::shared_ptr<Plan> plan_for(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias,
                               bool backward) {
  std::lock_guard<std::mutex> lock(g_mu);
  // Entries whose weights only the cache still holds belong to networks that are gone.
  for (auto it = g_weights.begin(); it != g_weights.end();)
    it = it->second.weight.use_count() == 1 ? g_weights.erase(it) : std::next(it);
  WeightEntry& we = g_weights[weight.unsafeGetTensorImpl()];
  if (!we.weight.defined() || we.data != weight.data_ptr() || we.version != weight._version()) {
    we = WeightEntry{weight, weight.data_ptr(), static_cast<uint32_t>(weight._version()), {}, {}};
  }
  const PlanKey key{bias.defined() ? bias.data_ptr() : nullptr, x.sizes().vec(), backward};
  auto it = we.plans.find(key);
  if (it != we.plans.end()) return it->second;
  const auto w = weight.detach().to(torch::kFloat32).contiguous();
  const WeightsFor weights_for = [&](const memory::desc& desc) {
    for (const auto& m : we.transformed)
      if (m.get_desc() == desc) return m;
    we.transformed.push_back(reorder_weights(w, desc));
    return we.transformed.back();
  };
  auto plan = make_plan(x.sizes().vec(), weight, bias, backward, weights_for);
  we.plans[key] = plan;
  return plan;
}

// The autograd node: ∂L/∂x from ∂L/∂out by Winograd backward-data (weights are constants here).
struct WinogradBackward : public torch::autograd::Node {
  std::shared_ptr<Plan> plan;
  torch::autograd::variable_list apply(torch::autograd::variable_list&& grads) override {
    if (!grads[0].defined()) return {torch::Tensor()};
    ++g_calls;
    return {plan_backward_data(*plan, grads[0])};
  }
  std::string name() const override { return "egsde::WinogradBackward"; }
};

std::string probe() {
  try {
    const auto w = torch::zeros({16, 16, 3, 3});
    const WeightsFor weights_for = [&](const memory::desc& desc) { return reorder_weights(w, desc); };
    if (!make_plan({1, 16, 8, 8}, w, torch::Tensor(), true, weights_for))
      return "oneDNN " + std::to_string(dnnl::version()->major) + "." + std::to_string(dnnl::version()->minor) +
#if DNNL_VERSION_MAJOR >= 3
             // measured with oneDNN 3.7 (Debian 13): no x64 implementation accepts convolution_winograd in f32
             " has no f32 Winograd convolution (oneDNN 2.x has it, e.g. Debian 12's libdnnl-dev): use --conv direct";
#else
             " has no Winograd convolution for this CPU (it needs AVX-512): use --conv direct";
#endif
  } catch (const std::exception& e) {
    return std::string("oneDNN failed: ") + e.what();
  }
  return "";
}

}  // namespace

std::string winograd_unavailable_reason() {
  static const std::string reason = std::getenv("EGSDE_NO_WINOGRAD") && std::string(std::getenv("EGSDE_NO_WINOGRAD")) == "1"
                                        ? "switched off by EGSDE_NO_WINOGRAD=1"
                                        : probe();
  return reason;
}

torch::Tensor winograd_conv2d(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias) {
  const bool grad = torch::GradMode::is_enabled();
  if (!x.device().is_cpu() || x.scalar_type() != torch::kFloat32 || x.dim() != 4 || weight.dim() != 4 ||
      weight.size(2) != 3 || weight.size(3) != 3 || weight.size(1) != x.size(1) ||
      weight.scalar_type() != torch::kFloat32 || (grad && weight.requires_grad()) ||
      (bias.defined() && grad && bias.requires_grad()) || autocast_enabled(/*cuda=*/false) || !winograd_available())
    return {};
  const bool backward = grad && x.requires_grad();
  const auto plan = plan_for(x, weight, bias, backward);
  if (!plan) return {};
  ++g_calls;
  torch::Tensor out;
  {
    at::AutoDispatchBelowADInplaceOrView below_autograd;
    out = plan_forward(*plan, x.detach());
  }
  if (backward) {
    auto node = std::shared_ptr<WinogradBackward>(new WinogradBackward(), torch::autograd::deleteNode);
    node->plan = plan;
    node->set_next_edges(torch::autograd::collect_next_edges(x));
    torch::autograd::set_history(out, node);
  }
  return out;
}

#else  // no oneDNN headers at build time

std::string winograd_unavailable_reason() {
  return "this egsde was built without oneDNN (install libdnnl-dev and rebuild)";
}

torch::Tensor winograd_conv2d(const torch::Tensor&, const torch::Tensor&, const torch::Tensor&) { return {}; }

#endif

bool winograd_available() { return winograd_unavailable_reason().empty(); }

}  // namespace egsde
