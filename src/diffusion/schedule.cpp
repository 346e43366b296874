#include "diffusion/schedule.h"

#include <cmath>

#include "core/error.h"

namespace egsde {
namespace {

// numpy.linspace(start, stop, num) in float64: start + i·step, last element = stop exactly.
std::vector<double> np_linspace(double start, double stop, int64_t num) {
  std::vector<double> v(static_cast<size_t>(num));
  if (num == 1) {
    v[0] = start;
    return v;
  }
  const double step = (stop - start) / static_cast<double>(num - 1);
  for (int64_t i = 0; i < num; ++i) v[i] = static_cast<double>(i) * step + start;
  v[num - 1] = stop;
  return v;
}

}  // namespace

torch::Tensor get_beta_schedule(BetaSchedule schedule, double beta_start, double beta_end,
                                int64_t num_diffusion_timesteps) {
  const int64_t T = num_diffusion_timesteps;
  if (T < 1) throw Error("num_diffusion_timesteps must be >= 1, got " + std::to_string(T));
  std::vector<double> b;
  switch (schedule) {
    case BetaSchedule::Quad:
      b = np_linspace(std::pow(beta_start, 0.5), std::pow(beta_end, 0.5), T);
      for (double& x : b) x = x * x;
      break;
    case BetaSchedule::Linear:
      b = np_linspace(beta_start, beta_end, T);
      break;
    case BetaSchedule::Const:
      b.assign(static_cast<size_t>(T), beta_end * 1.0);
      break;
    case BetaSchedule::Jsd:  // 1/T, 1/(T−1), …, 1
      b = np_linspace(static_cast<double>(T), 1.0, T);
      for (double& x : b) x = 1.0 / x;
      break;
    case BetaSchedule::Sigmoid:
      b = np_linspace(-6.0, 6.0, T);
      for (double& x : b) x = (1.0 / (std::exp(-x) + 1.0)) * (beta_end - beta_start) + beta_start;
      break;
  }
  return torch::tensor(b, torch::kFloat64);
}

Schedule schedule_from_betas(const torch::Tensor& betas_f32, VarType var_type,
                             std::vector<int64_t> timestep_map) {
  torch::NoGradGuard no_grad;
  Schedule s;
  s.betas = betas_f32.to(torch::kCPU, torch::kFloat32).contiguous().clone();
  s.alphas = 1.0 - s.betas;
  s.alphas_cumprod = s.alphas.cumprod(0);
  s.alphas_cumprod_prev = torch::cat({torch::ones({1}), s.alphas_cumprod.slice(0, 0, -1)}, 0);
  s.posterior_variance = s.betas * (1.0 - s.alphas_cumprod_prev) / (1.0 - s.alphas_cumprod);
  s.logvar = var_type == VarType::FixedLarge ? s.betas.log()
                                             : s.posterior_variance.clamp_min(1e-20).log();
  s.var_type = var_type;
  const int64_t T = s.betas.size(0);
  if (timestep_map.empty()) {
    timestep_map.resize(static_cast<size_t>(T));
    for (int64_t i = 0; i < T; ++i) timestep_map[i] = i;
  }
  if (static_cast<int64_t>(timestep_map.size()) != T)
    throw Error("timestep_map has " + std::to_string(timestep_map.size()) + " entries for " +
                std::to_string(T) + " timesteps");
  s.timestep_map = std::move(timestep_map);
  return s;
}

Schedule make_schedule(const ScheduleConfig& c) {
  auto betas = get_beta_schedule(c.beta_schedule, c.beta_start, c.beta_end,
                                 c.num_diffusion_timesteps);
  return schedule_from_betas(betas.to(torch::kFloat32), c.var_type);
}

Schedule schedule_on(const Schedule& s, const torch::Device& device) {
  Schedule d = s;
  for (torch::Tensor* t : {&d.betas, &d.alphas, &d.alphas_cumprod, &d.alphas_cumprod_prev, &d.posterior_variance,
                           &d.logvar})
    *t = t->to(device);
  return d;
}

}  // namespace egsde
