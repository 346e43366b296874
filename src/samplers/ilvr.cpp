#include "samplers/ilvr.h"

#include "samplers/egsde.h"

namespace egsde {

std::vector<torch::Tensor> ilvr_sample(const torch::Tensor& x0, const EpsFn& model, const LowPass& lp,
                                       const GaussianDiffusion& d, const IlvrConfig& config, NoiseSource& noise,
                                       const StepObserver& observer) {
  check_start(d.num_timesteps(), config.t);
  const bool from_noise = config.t == d.num_timesteps();
  return sample_repeats(
      x0, config.t, config.sample_step, config.check_finite, noise,
      [&](const torch::Tensor& y0, const torch::Tensor& e) { return from_noise ? e : q_sample(d, config.t - 1, y0, e); },
      [&](int64_t i, const torch::Tensor& y, const torch::Tensor&) {
        auto out = p_sample(model, d, i, y, noise, config.clip_denoised).sample;
        if (i > config.range_t) out = out - lp(out) + lp(q_sample(d, i, x0, noise.randn_like(x0)));
        return out;
      },
      observer);
}

}  // namespace egsde
