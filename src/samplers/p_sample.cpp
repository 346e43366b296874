#include "samplers/p_sample.h"

#include <cmath>
#include <set>

#include "core/error.h"
#include "samplers/egsde.h"

namespace egsde {
namespace {

// _extract_into_tensor: a[i] as float32, shaped [n,1,1,1] on `device`.
torch::Tensor extract(const std::vector<double>& a, int64_t i, int64_t n, const torch::Device& device) {
  return torch::full({n, 1, 1, 1}, static_cast<float>(a[static_cast<size_t>(i)]),
                     torch::TensorOptions().dtype(torch::kFloat32).device(device));
}

// GaussianDiffusion.__init__ on float64 betas.
GaussianDiffusion gaussian_diffusion(std::vector<double> betas, ModelVarType var_type, std::vector<int64_t> map) {
  GaussianDiffusion d;
  d.var_type = var_type;
  d.timestep_map = std::move(map);
  const size_t T = betas.size();
  d.betas = std::move(betas);
  double prod = 1.0;
  for (size_t i = 0; i < T; ++i) {
    d.alphas_cumprod_prev.push_back(prod);
    prod *= 1.0 - d.betas[i];
    d.alphas_cumprod.push_back(prod);
  }
  for (size_t i = 0; i < T; ++i) {
    const double b = d.betas[i], ac = d.alphas_cumprod[i], acp = d.alphas_cumprod_prev[i];
    d.sqrt_alphas_cumprod.push_back(std::sqrt(ac));
    d.sqrt_one_minus_alphas_cumprod.push_back(std::sqrt(1.0 - ac));
    d.sqrt_recip_alphas_cumprod.push_back(std::sqrt(1.0 / ac));
    d.sqrt_recipm1_alphas_cumprod.push_back(std::sqrt(1.0 / ac - 1));
    d.posterior_variance.push_back(b * (1.0 - acp) / (1.0 - ac));
    d.posterior_mean_coef1.push_back(b * std::sqrt(acp) / (1.0 - ac));
    d.posterior_mean_coef2.push_back((1.0 - acp) * std::sqrt(1.0 - b) / (1.0 - ac));
    d.log_betas.push_back(std::log(b));
  }
  // the posterior variance is 0 at index 0: both logs take index 1's value there
  for (size_t i = 0; i < T; ++i) {
    const size_t k = i == 0 && T > 1 ? 1 : i;
    d.posterior_log_variance_clipped.push_back(std::log(d.posterior_variance[k]));
    d.fixed_large_log_variance.push_back(std::log(i == 0 && T > 1 ? d.posterior_variance[1] : d.betas[i]));
  }
  return d;
}

}  // namespace

GaussianDiffusion spaced_diffusion(const std::vector<double>& base_betas, const std::vector<int64_t>& use_timesteps,
                                   ModelVarType var_type) {
  const std::set<int64_t> keep(use_timesteps.begin(), use_timesteps.end());
  const int64_t T = static_cast<int64_t>(base_betas.size());
  if (keep.empty()) throw Error("respacing keeps no timesteps");
  if (*keep.begin() < 0 || *keep.rbegin() >= T)
    throw Error("respaced timesteps must lie in [0, " + std::to_string(T) + ")");
  std::vector<double> betas;
  std::vector<int64_t> map;
  double ac = 1.0, last = 1.0;
  for (int64_t i = 0; i < T; ++i) {
    ac *= 1.0 - base_betas[static_cast<size_t>(i)];  // the base's alphas_cumprod (np.cumprod)
    if (!keep.count(i)) continue;
    betas.push_back(1 - ac / last);
    last = ac;
    map.push_back(i);
  }
  return gaussian_diffusion(std::move(betas), var_type, std::move(map));
}

torch::Tensor q_sample(const GaussianDiffusion& d, int64_t i, const torch::Tensor& x0, const torch::Tensor& noise) {
  const int64_t n = x0.size(0);
  return extract(d.sqrt_alphas_cumprod, i, n, x0.device()) * x0 +
         extract(d.sqrt_one_minus_alphas_cumprod, i, n, x0.device()) * noise;
}

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
    const auto min_log = extract(d.posterior_log_variance_clipped, i, n, dev);
    const auto max_log = extract(d.log_betas, i, n, dev);
    const auto frac = (parts[1] + 1) / 2;  // v ∈ [−1, 1] spans [min_var, max_var]
    out.log_variance = frac * max_log + (1 - frac) * min_log;
  } else {
    out.log_variance = extract(d.var_type == ModelVarType::FixedLarge ? d.fixed_large_log_variance
                                                                      : d.posterior_log_variance_clipped,
                               i, n, dev);
  }
  out.pred_xstart = extract(d.sqrt_recip_alphas_cumprod, i, n, dev) * x -
                    extract(d.sqrt_recipm1_alphas_cumprod, i, n, dev) * eps;
  if (clip_denoised) out.pred_xstart = out.pred_xstart.clamp(-1, 1);
  out.mean = extract(d.posterior_mean_coef1, i, n, dev) * out.pred_xstart +
             extract(d.posterior_mean_coef2, i, n, dev) * x;
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
