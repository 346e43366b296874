#include "samplers/ilvr.h"

#include "core/error.h"

namespace egsde {

std::vector<torch::Tensor> ilvr_sample(const torch::Tensor& x0, const EpsFn& eps_fn, const LowPass& lp,
                                       const Schedule& s, const IlvrConfig& config, NoiseSource& noise,
                                       const StepObserver& observer) {
  check_start(s, config.t);
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> results;
  torch::Tensor y0 = x0;
  FiniteCheck finite(config.check_finite);
  for (int64_t it = 0; it < config.sample_step; ++it) {
    auto e = noise.randn_like(y0);
    auto y = config.t == s.num_timesteps() ? e : perturb(s, config.t - 1, y0, e);
    for (int64_t i = config.t - 1; i >= 0; --i) {
      y = egsde_step(eps_fn, {}, s, i, y, torch::Tensor(), noise);
      if (i > config.range_t) {
        auto ref = perturb(s, i, x0, noise.randn_like(x0));
        y = y - lp(y) + lp(ref);
      }
      finite.after_step(y, it, i);
      if (observer) observer(it, i, y);
    }
    finite.finish(it);
    results.push_back(y);
    y0 = y;
  }
  return results;
}

}  // namespace egsde
