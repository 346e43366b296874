#include "train/dse_step.h"

#include <cmath>
#include <functional>
#include <future>

#include "core/error.h"

namespace egsde::train {

namespace {
// MixedPrecisionTrainer._compute_norms: the square root of the sum of every parameter's squared
// float32 2-norm (of the values, and of the gradients where there are any).
std::pair<double, double> norms(torch::optim::Optimizer& opt) {
  std::vector<torch::Tensor> p, g;
  for (auto& group : opt.param_groups())
    for (auto& t : group.params()) {
      p.push_back(t.detach().norm(2).to(torch::kFloat64));
      if (t.grad().defined()) g.push_back(t.grad().norm(2).to(torch::kFloat64));
    }
  const auto sq = [](const std::vector<torch::Tensor>& v) {
    return v.empty() ? 0.0 : std::sqrt(torch::stack(v).pow(2).sum().item<double>());
  };
  return {sq(g), sq(p)};
}
}  // namespace

namespace {

// Copies `from`'s parameters and buffers into `to` (no autograd); the modules share one config.
void broadcast(AdmDseImpl& from, AdmDseImpl& to) {
  torch::NoGradGuard no_grad;
  const auto src = from.named_parameters(), dst = to.named_parameters();
  for (const auto& p : src) dst[p.key()].copy_(p.value());
  const auto src_b = from.named_buffers(), dst_b = to.named_buffers();
  for (const auto& b : src_b) dst_b[b.key()].copy_(b.value());
}

struct ShardResult {
  torch::Tensor loss_sum, right;  // on the shard's device
};

// forward_backward_log for one shard of a microbatch: CE per image, backward of its mean
// weighted by len(shard)/len(batch), as the whole-batch step weights it.
ShardResult run_shard(AdmDseImpl& m, const torch::Tensor& xt, const torch::Tensor& t, const torch::Tensor& labels,
                      int64_t n, Precision precision) {
  const torch::Device dev = m.parameters().front().device();
  const auto x = xt.to(dev), tt = t.to(dev), y = labels.to(dev);
  torch::Tensor logits;
  {
    PrecisionScope scope(precision, dev);  // thread-local: opened on the shard's own thread
    logits = m.logits(x, tt);
  }
  logits = logits.to(torch::kFloat32);
  const auto loss = torch::nn::functional::cross_entropy(
      logits, y, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone));
  (loss.mean() * static_cast<double>(x.size(0)) / static_cast<double>(n)).backward();
  return {loss.detach().to(torch::kFloat64).sum(), logits.detach().argmax(1).eq(y).sum()};
}

}  // namespace

DseStepStats dse_train_step(AdmDseImpl& dse, torch::optim::Optimizer& opt, const NoisingCoefficients& c,
                            const DseStepInput& in, int64_t microbatch, double lr,
                            const std::vector<AdmDseImpl*>& replicas, Precision precision) {
  if (dse.phase() != DsePhase::Train) throw Error("dse_train_step: the DSE must be in phase train (logits)");
  const torch::Device dev = dse.parameters().front().device();
  for (auto& group : opt.param_groups()) group.options().set_lr(lr);  // set_annealed_lr
  const auto x0 = in.x0.to(dev), labels = in.labels.to(dev), t = in.t.to(dev), noise = in.noise.to(dev);
  const auto xt = q_sample(c, x0, t, noise);
  const int64_t n = xt.size(0);
  const int64_t mb = (microbatch == -1 || microbatch >= n) ? n : microbatch;
  if (mb <= 0) throw Error("--microbatch must be positive or -1 (the whole batch)");
  std::vector<AdmDseImpl*> devices{&dse};
  for (AdmDseImpl* r : replicas) {
    broadcast(dse, *r);
    r->zero_grad();
    devices.push_back(r);
  }
  opt.zero_grad();
  double loss_sum = 0;
  int64_t right = 0;
  for (int64_t i = 0; i < n; i += mb) {
    const int64_t j = std::min(i + mb, n);
    const auto parts = static_cast<int64_t>(devices.size());
    const auto xs = xt.slice(0, i, j).chunk(parts), ts = t.slice(0, i, j).chunk(parts),
               ys = labels.slice(0, i, j).chunk(parts);
    std::vector<ShardResult> results(xs.size());
    if (xs.size() == 1) {
      results[0] = run_shard(dse, xs[0], ts[0], ys[0], n, precision);
    } else {  // one thread per device (DataParallel's parallel_apply); errors rethrown here
      std::vector<std::future<ShardResult>> jobs;
      for (size_t k = 0; k < xs.size(); ++k)
        jobs.push_back(std::async(std::launch::async, run_shard, std::ref(*devices[k]), xs[k], ts[k], ys[k], n,
                                             precision));
      for (size_t k = 0; k < jobs.size(); ++k) results[k] = jobs[k].get();
    }
    for (const auto& r : results) {
      loss_sum += r.loss_sum.item<double>();
      right += r.right.item<int64_t>();
    }
  }
  if (!replicas.empty()) {  // DataParallel's reduce onto the first device, in shard order
    torch::NoGradGuard no_grad;
    const auto own = dse.parameters();
    for (AdmDseImpl* r : replicas) {
      const auto theirs = r->parameters();
      for (size_t k = 0; k < own.size(); ++k) {
        if (!theirs[k].grad().defined()) continue;
        const auto g = theirs[k].grad().to(dev);
        if (own[k].mutable_grad().defined()) own[k].mutable_grad().add_(g);
        else own[k].mutable_grad() = g.clone();
      }
    }
  }
  DseStepStats s;
  std::tie(s.grad_norm, s.param_norm) = norms(opt);
  opt.step();
  s.loss = loss_sum / static_cast<double>(n);
  s.accuracy = static_cast<double>(right) / static_cast<double>(n);
  if (!std::isfinite(s.loss)) throw Error("train-dse: the loss is not finite; lower --lr");
  return s;
}

}  // namespace egsde::train
