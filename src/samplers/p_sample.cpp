#include "samplers/p_sample.h"

#include "core/error.h"

namespace egsde {
MeanVariance p_mean_variance(const GaussianDiffusion& d, int64_t i, const torch::Tensor& x,
                             const torch::Tensor& model_output, bool clip_denoised) {
  const int64_t n = x.size(0), C = x.size(1);
  const auto dev = x.device();
  const bool learned = d.var_type == ModelVarType::LearnedRange;
  if (model_output.size(1) != (learned ? 2 * C : C))
    throw Error("the score model returns " + std::to_string(model_output.size(1)) + " channels; " +
                (learned ? "a learned variance needs " + std::to_string(2 * C) + " (learn_sigma)"
                         : "a fixed variance needs " + std::to_string(C)));
  MeanVariance out;
  torch::Tensor eps = model_output;
  if (learned) {
    auto parts = model_output.split(C, 1);
    eps = parts[0];
    const auto min_log = extract_into_tensor(d.posterior_log_variance_clipped, i, n, dev);
    const auto max_log = extract_into_tensor(d.log_betas, i, n, dev);
    const auto frac = (parts[1] + 1) / 2;  // v ∈ [−1, 1] spans [min_var, max_var]
    out.log_variance = frac * max_log + (1 - frac) * min_log;
  } else {
    out.log_variance = extract_into_tensor(d.var_type == ModelVarType::FixedLarge ? d.fixed_large_log_variance
                                                                      : d.posterior_log_variance_clipped,
                               i, n, dev);
  }
  out.pred_xstart = extract_into_tensor(d.sqrt_recip_alphas_cumprod, i, n, dev) * x -
                    extract_into_tensor(d.sqrt_recipm1_alphas_cumprod, i, n, dev) * eps;
  if (clip_denoised) out.pred_xstart = out.pred_xstart.clamp(-1, 1);
  out.mean = extract_into_tensor(d.posterior_mean_coef1, i, n, dev) * out.pred_xstart +
             extract_into_tensor(d.posterior_mean_coef2, i, n, dev) * x;
  return out;
}

PSample p_sample(const EpsFn& model, const GaussianDiffusion& d, int64_t i, const torch::Tensor& x,
                 NoiseSource& noise, bool clip_denoised) {
  torch::NoGradGuard no_grad;
  const int64_t n = x.size(0);
  const auto t = torch::full({n}, static_cast<double>(d.timestep_map[static_cast<size_t>(i)]),
                             torch::TensorOptions().dtype(torch::kFloat32).device(x.device()));
  const MeanVariance mv = p_mean_variance(d, i, x, model(x, t), clip_denoised);
  const auto z = noise.randn_like(x);
  const auto mask = torch::full({n, 1, 1, 1}, i == 0 ? 0.0 : 1.0,
                                torch::TensorOptions().dtype(torch::kFloat32).device(x.device()));
  return {mv.mean + mask * torch::exp(0.5 * mv.log_variance) * z, mv.pred_xstart};
}

}  // namespace egsde
