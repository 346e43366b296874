#include "translate/method_sampler.h"

#include <iostream>
#include <mutex>
#include <optional>
#include <set>

#include "core/error.h"
#include "core/file_check.h"
#include "core/image_io.h"
#include "core/suggest.h"
#include "diffusion/respace.h"
#include "guidance/energies.h"
#include "models/eps_model.h"
#include "models/conv.h"
#include "models/network.h"
#include "samplers/egsde.h"
#include "samplers/ilvr.h"
#include "samplers/sdedit.h"

namespace egsde {
namespace {

const std::vector<std::pair<std::string, Method>> kMethods = {
    {"egsde", Method::Egsde}, {"sdedit", Method::Sdedit}, {"ilvr", Method::Ilvr}};

}  // namespace

Method parse_method(const std::string& s) { return parse_named(s, kMethods, "method"); }
std::string to_string(Method m) { return name_of(m, kMethods); }
bool needs_dse(Method m, const ProfileArgs& args) { return m == Method::Egsde && (args.ls != 0 || args.lc != 0); }

struct MethodSampler::Impl {
  Method method = Method::Egsde;
  Precision precision = Precision::Fp32;
  torch::Device device = torch::kCPU;
  Schedule schedule;
  int64_t start = 0;
  int64_t repeats = 1;
  int64_t image_size = 0;
  EpsModel eps;
  std::optional<Network> dse;
  std::vector<WeightedEnergy> energies;
  std::optional<LowPass> lowpass;  // ILVR
  std::optional<GaussianDiffusion> diffusion;  // ILVR: guided-diffusion's, as the ILVR code samples
};

MethodSampler::MethodSampler(const Profile& profile, const MethodSamplerOptions& o) : impl_(std::make_unique<Impl>()) {
  const ProfileArgs& a = profile.args;
  const std::string what = profile.source.empty() ? std::string("profile") : "profile " + profile.source.string();
  Impl& s = *impl_;
  s.method = o.method;
  s.precision = o.precision;
  s.device = o.device;
  s.repeats = a.sample_step;
  s.image_size = profile.image_size;
  for (const auto& [file, name] : {std::pair{a.ckpt, "ckpt"}, std::pair{a.dsepath, "dsepath"}}) {
    if (std::string(name) == "dsepath" && !needs_dse(o.method, a)) continue;
    if (const std::string why = not_a_file_reason(file); !why.empty())
      throw Error(what + ": args." + name + " " + file.string() + " " + why +
                  "; download it (README.md, 'Weights and data') or fix the path");
  }
  if (o.conv == ConvAlgo::Winograd) {  // before any network is loaded
    if (!o.device.is_cpu()) throw Error("--conv winograd is a CPU option (oneDNN); use --conv direct on " + o.device.str());
    if (!winograd_available()) throw Error("--conv winograd: " + winograd_unavailable_reason() + "; use --conv direct");
  }
  // The yml sections as the profile file nests them ({"args", "config"}), so that a load error
  // names the keys as the user wrote them (config.model.num_res_blocks).
  const nlohmann::json as_written = {{"args", nlohmann::json::object()}, {"config", profile.config}};
  s.eps = load_eps_model(a.diffusionmodel, as_written, what, a.ckpt, o.channels_last);
  // float32 ε also under bf16 autocast, so the step's arithmetic stays float32 (the official
  // egsde_sample ends with sample.float()); a no-op in fp32, like the DSE features' cast below
  const auto as_float32 = [](EpsFn f) {
    return EpsFn([f = std::move(f)](const torch::Tensor& y, const torch::Tensor& t) { return f(y, t).to(torch::kFloat32); });
  };
  s.eps.eps = as_float32(std::move(s.eps.eps));
  s.eps.output = as_float32(std::move(s.eps.output));  // ILVR's whole output (ε and the variance values)
  if (s.eps.image_size > 0 && s.eps.image_size != profile.image_size)
    throw Error(what + ": the score model is built for image_size " + std::to_string(s.eps.image_size) +
                " but data.image_size is " + std::to_string(profile.image_size));
  s.eps.module->to(o.device);
  set_conv_algo(*s.eps.module, o.conv);
  if (!a.dsepath.empty() && profile.config.contains("dse") && std::filesystem::is_regular_file(a.dsepath)) {
    s.dse = load_network(NetworkKind::AdmDse, as_written, what, a.dsepath, DsePhase::Test);
    s.dse->module->to(o.device);
    if (o.channels_last) use_channels_last(*s.dse);
    set_conv_algo(*s.dse->module, o.conv);
    for (auto& p : s.dse->module->parameters()) p.set_requires_grad(!o.levers.frozen_dse);
  }
  const bool egsde = o.method == Method::Egsde;
  const double ls = egsde ? a.ls : 0.0, li = egsde ? a.li : 0.0, lc = egsde ? a.lc : 0.0;
  if (ls != 0) {
    if (!s.dse) throw Error(what + ": ls = " + std::to_string(ls) + " needs the DSE (args.dsepath and config.dse)");
    auto net = *s.dse;
    s.energies.push_back(
        {"realism (s1=" + to_string(a.s1) + ")", ls,
         realism_energy(
             // float32 features for the similarity also under bf16 autocast (a no-op in fp32)
             [net](const torch::Tensor& x, const torch::Tensor& t) { return net.forward(x, t).to(torch::kFloat32); },
             a.s1, o.levers)});
  }
  if (li != 0)
    s.energies.push_back({"faithful (s2=" + to_string(a.s2) + ")", li,
                          lowpass_energy(make_lowpass(profile.image_size, a.down_N, o.per_image_lowpass).to(o.device), a.s2,
                                         o.levers)});
  if (lc != 0) {
    if (!s.dse) throw Error(what + ": lc = " + std::to_string(lc) + " needs the DSE (args.dsepath and config.dse)");
    const int64_t classes = s.dse->module->as<AdmDseImpl>()->config().num_class;
    if (a.lc_class >= classes)
      throw Error(what + ": lc_class " + std::to_string(a.lc_class) + " is not a class of the DSE's head (num_class " +
                  std::to_string(classes) + ": 0.." + std::to_string(classes - 1) + ")");
    s.energies.push_back({"classifier (class " + std::to_string(a.lc_class) + ")", lc,
                          classifier_energy(s.dse->logits, a.lc_class)});
  }
  if (o.method == Method::Ilvr)  // the ILVR code's Resizer: cubic by default
    s.lowpass = make_lowpass(profile.image_size, a.down_N, o.per_image_lowpass, ResizeKernel::Cubic).to(o.device);
  s.schedule = make_schedule(profile.schedule);
  s.start = a.t;
  if (o.respace > 0) {
    s.schedule = respace(s.schedule, space_timesteps(s.schedule.num_timesteps(), std::to_string(o.respace)));
    s.start = respaced_start(s.schedule, a.t);
  }
  s.schedule = schedule_on(s.schedule, o.device);  // the steps gather coefficients on the device
  if (o.method == Method::Ilvr) {
    // create_gaussian_diffusion: LEARNED_RANGE for learn_sigma, else the profile's var_type
    const ModelVarType var = s.eps.learn_sigma                                  ? ModelVarType::LearnedRange
                             : profile.schedule.var_type == VarType::FixedSmall ? ModelVarType::FixedSmall
                                                                                : ModelVarType::FixedLarge;
    s.diffusion = guided_diffusion(profile.schedule, s.schedule.timestep_map, var);  // the same kept steps
  }
}

MethodSampler::~MethodSampler() = default;

std::vector<torch::Tensor> MethodSampler::sample(const torch::Tensor& x0, NoiseSource& noise,
                                            const StepObserver& observer) const {
  const Impl& s = *impl_;
  const PrecisionScope precision(s.precision, s.device);
  if (s.method == Method::Ilvr) {
    IlvrConfig c;
    c.t = s.start;
    c.sample_step = s.repeats;
    return ilvr_sample(x0, s.eps.output, *s.lowpass, *s.diffusion, c, noise, observer);
  }
  EgsdeConfig c;
  c.t = s.start;
  c.sample_step = s.repeats;
  if (s.energies.empty()) return sdedit_sample(x0, s.eps.eps, s.schedule, c, noise, observer);
  return egsde_sample(x0, s.eps.eps, s.energies, s.schedule, c, noise, observer);
}

int64_t MethodSampler::steps() const { return impl_->start; }
int64_t MethodSampler::image_size() const { return impl_->image_size; }
torch::Device MethodSampler::device() const { return impl_->device; }

std::vector<InitDraw> MethodSampler::init_draws() const {
  auto draws = default_init_draws(parameter_shapes(*impl_->eps.module));
  if (impl_->dse) {
    const auto d = default_init_draws(parameter_shapes(*impl_->dse->module));
    draws.insert(draws.end(), d.begin(), d.end());
  }
  return draws;
}

int64_t MethodSampler::draws_per_batch() const {
  // per repeat: e, one z per step, and for ILVR one reference noise per refined step (i > 0)
  const int64_t steps = impl_->start;
  return impl_->repeats * (1 + steps + (impl_->method == Method::Ilvr ? steps - 1 : 0));
}

torch::Tensor load_sources(const std::vector<std::filesystem::path>& paths, int64_t image_size, bool quiet) {
  std::vector<torch::Tensor> xs;
  for (const auto& path : paths) {
    std::string note;
    const auto rgb = read_image_rgb(path, &note);
    if (!note.empty() && !quiet) {  // once per file and process (workers and repeats load it again)
      static std::mutex mu;
      static std::set<std::string> warned;
      std::lock_guard<std::mutex> lock(mu);
      if (warned.insert(path.string()).second) std::cerr << "egsde: warning: " << path.string() << ": " << note << "\n";
    }
    auto x = source_tensor(rgb, image_size);
    if (x.size(1) != image_size || x.size(2) != image_size)
      throw Error("image " + path.string() + " is " + std::to_string(rgb.size(1)) + "x" + std::to_string(rgb.size(0)) +
                  " (W x H); resized to a shorter side of " + std::to_string(image_size) +
                  " it is not square, which the networks need; crop it first");
    xs.push_back(x);
  }
  return torch::stack(xs);
}

std::vector<torch::Tensor> translate_files(const MethodSampler& sampler, const std::vector<std::filesystem::path>& paths,
                                           NoiseSource& noise, const StepObserver& observer, bool quiet) {
  const auto x0 = load_sources(paths, sampler.image_size(), quiet).to(sampler.device());
  auto ys = sampler.sample(x0, noise, observer);
  for (auto& y : ys) y = y.to(torch::kCPU, torch::kFloat32);
  return ys;
}

}  // namespace egsde
