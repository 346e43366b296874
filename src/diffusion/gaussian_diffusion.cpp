#include "diffusion/gaussian_diffusion.h"

#include <cmath>
#include <set>

#include "core/error.h"

namespace egsde {
namespace {

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
  return extract_into_tensor(d.sqrt_alphas_cumprod, i, n, x0.device()) * x0 +
         extract_into_tensor(d.sqrt_one_minus_alphas_cumprod, i, n, x0.device()) * noise;
}

GaussianDiffusion guided_diffusion(const ScheduleConfig& c, const std::vector<int64_t>& use_timesteps,
                                   ModelVarType var_type) {
  const auto betas = get_beta_schedule(c.beta_schedule, c.beta_start, c.beta_end, c.num_diffusion_timesteps);
  const std::vector<double> b(betas.data_ptr<double>(), betas.data_ptr<double>() + betas.numel());
  if (!use_timesteps.empty()) return spaced_diffusion(b, use_timesteps, var_type);
  std::vector<int64_t> all(b.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int64_t>(i);
  return spaced_diffusion(b, all, var_type);
}

torch::Tensor extract_into_tensor(const std::vector<double>& a, int64_t i, int64_t n, const torch::Device& device) {
  return torch::full({n, 1, 1, 1}, static_cast<float>(a[static_cast<size_t>(i)]),
                     torch::TensorOptions().dtype(torch::kFloat32).device(device));
}

}  // namespace egsde
