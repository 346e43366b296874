#include "train/noising.h"

namespace egsde::train {

NoisingCoefficients noising_coefficients(const ScheduleConfig& schedule) {
  const GaussianDiffusion d = guided_diffusion(schedule, {}, ModelVarType::FixedLarge);  // the variance is unused
  const auto f32 = [](const std::vector<double>& v) { return torch::tensor(v, torch::kFloat64).to(torch::kFloat32); };
  return {f32(d.sqrt_alphas_cumprod), f32(d.sqrt_one_minus_alphas_cumprod)};
}

torch::Tensor q_sample(const NoisingCoefficients& c, const torch::Tensor& x0, const torch::Tensor& t,
                       const torch::Tensor& noise) {
  const auto gather = [&](const torch::Tensor& a) {
    return a.to(x0.device()).index_select(0, t.to(x0.device())).view({-1, 1, 1, 1});
  };
  return gather(c.sqrt_alphas_cumprod) * x0 + gather(c.sqrt_one_minus_alphas_cumprod) * noise;
}

}  // namespace egsde::train
