#include "samplers/egsde.h"

#include "core/error.h"

namespace egsde {
namespace {

// Official `extract`: coefficient a[i] gathered for the batch, shaped [n,1,1,1].
torch::Tensor extract(const torch::Tensor& a, int64_t i, int64_t n, const torch::Device& device) {
  // the index where `a` lives (schedule_on): no host-to-device copy per coefficient
  auto idx = torch::full({n}, i, torch::TensorOptions().dtype(torch::kInt64).device(a.device()));
  return a.index_select(0, idx).reshape({n, 1, 1, 1}).to(device);
}

}  // namespace

void check_start(const Schedule& s, int64_t t) { check_start(s.num_timesteps(), t); }

void check_start(int64_t num_timesteps, int64_t t) {
  if (t < 1 || t > num_timesteps)
    throw Error("t = " + std::to_string(t) + " must lie in [1, " + std::to_string(num_timesteps) + "]");
}

torch::Tensor perturb(const Schedule& s, int64_t i, const torch::Tensor& x0, const torch::Tensor& e) {
  auto a = s.alphas_cumprod[i];
  return x0 * a.sqrt().to(x0.device()) + e * (1.0 - a).sqrt().to(x0.device());
}

torch::Tensor step_times(const Schedule& s, int64_t i, int64_t n, const torch::Device& device) {
  return torch::full({n}, static_cast<double>(s.timestep_map[i]),
                     torch::TensorOptions().dtype(torch::kFloat32).device(device));
}

torch::Tensor egsde_step(const EpsFn& eps_fn, const std::vector<WeightedEnergy>& energies,
                         const Schedule& s, int64_t i, const torch::Tensor& y, const torch::Tensor& xt,
                         NoiseSource& noise) {
  torch::NoGradGuard no_grad;
  const int64_t n = y.size(0);
  const auto dev = y.device();
  const auto t = step_times(s, i, n, dev);
  auto eps = eps_fn(y, t);
  // coefficient arrays in the official op order (egsde_sample recomputes them from betas)
  auto alphas = 1.0 - s.betas;
  auto weighted_score = s.betas / torch::sqrt(1.0 - s.alphas_cumprod);
  auto mean = extract(torch::reciprocal(torch::sqrt(alphas)), i, n, dev) *
              (y - extract(weighted_score, i, n, dev) * eps);
  if (!energies.empty()) {
    auto weight_t = extract(s.betas / torch::sqrt(alphas), i, n, dev);
    for (const auto& en : energies) {
      auto grad = en.grad(y, xt, t);
      mean = mean - en.weight * weight_t * grad;
    }
  }
  auto logvar = extract(s.logvar, i, n, dev);
  auto z = noise.randn_like(y);
  const double mask = i == 0 ? 0.0 : 1.0;
  auto mask_t = torch::full({n, 1, 1, 1}, mask, torch::TensorOptions().dtype(torch::kFloat32).device(dev));
  return mean + mask_t * torch::exp(0.5 * logvar) * z;
}

std::vector<torch::Tensor> egsde_sample(const torch::Tensor& x0, const EpsFn& eps_fn,
                                        const std::vector<WeightedEnergy>& energies,
                                        const Schedule& s, const EgsdeConfig& config,
                                        NoiseSource& noise, const StepObserver& observer) {
  check_start(s, config.t);
  return sample_repeats(
      x0, config.t, config.sample_step, config.check_finite, noise,
      [&](const torch::Tensor& y0, const torch::Tensor& e) { return perturb(s, config.t - 1, y0, e); },
      [&](int64_t i, const torch::Tensor& y, const torch::Tensor& e) {
        torch::Tensor xt = energies.empty() ? torch::Tensor() : perturb(s, i, x0, e);
        return egsde_step(eps_fn, energies, s, i, y, xt, noise);
      },
      observer);
}

std::vector<torch::Tensor> sample_repeats(const torch::Tensor& x0, int64_t t, int64_t repeats, bool check_finite,
                                          NoiseSource& noise, const RepeatStart& start, const RepeatStep& step,
                                          const StepObserver& observer) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> results;
  torch::Tensor y0 = x0;
  FiniteCheck finite(check_finite);
  for (int64_t it = 0; it < repeats; ++it) {
    auto e = noise.randn_like(y0);
    auto y = start(y0, e);
    for (int64_t i = t - 1; i >= 0; --i) {
      y = step(i, y, e);
      finite.after_step(y, it, i);
      if (observer) observer(it, i, y);
    }
    finite.finish(it);
    results.push_back(y);
    y0 = y;
  }
  return results;
}

namespace {
[[noreturn]] void throw_not_finite(int64_t repeat, int64_t i) {
  throw Error("the sample became NaN/Inf at step " + std::to_string(i) + " (repeat " + std::to_string(repeat) +
              "); lower ls/li or check the checkpoints");
}
}  // namespace

void FiniteCheck::after_step(const torch::Tensor& y, int64_t repeat, int64_t i) {
  if (!enabled_) return;
  if (!y.is_cuda() && !deferred_cpu_) {  // a CPU read costs no round trip
    if (!torch::isfinite(y).all().item<bool>()) throw_not_finite(repeat, i);
    return;
  }
  if (!first_bad_.defined() || first_bad_.device() != y.device())
    first_bad_ = torch::full({}, -1, torch::TensorOptions().dtype(torch::kInt64).device(y.device()));
  const auto bad = torch::isfinite(y).all().logical_not();
  first_bad_.masked_fill_(bad.logical_and(first_bad_.lt(0)), i);  // on the device: no host sync
  if (++steps_ % kReadEvery == 0) finish(repeat);
}

void FiniteCheck::finish(int64_t repeat) {
  if (!enabled_ || !first_bad_.defined()) return;
  const int64_t i = first_bad_.item<int64_t>();
  if (i >= 0) throw_not_finite(repeat, i);
}

}  // namespace egsde
