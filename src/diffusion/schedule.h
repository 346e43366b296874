// The discrete VP diffusion schedule as the official runner builds it (runners/egsde.py:
// get_beta_schedule and EGSDE.__init__): betas in float64, cast to float32, then every derived
// array by float32 tensor ops in the official order, so the values are bit-identical on CPU.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace egsde {

// config.diffusion.beta_schedule
enum class BetaSchedule { Linear, Quad, Const, Jsd, Sigmoid };
// config.model.var_type: fixedsmall = posterior variance β̃_t, fixedlarge = β_t.
enum class VarType { FixedSmall, FixedLarge };

// The official config keys (diffusion section + model.var_type), paper defaults.
struct ScheduleConfig {
  BetaSchedule beta_schedule = BetaSchedule::Linear;
  double beta_start = 0.0001;
  double beta_end = 0.02;
  int64_t num_diffusion_timesteps = 1000;
  VarType var_type = VarType::FixedLarge;
};

// get_beta_schedule: float64 betas (NumPy's linspace formula).
torch::Tensor get_beta_schedule(BetaSchedule schedule, double beta_start, double beta_end,
                                int64_t num_diffusion_timesteps);

// All arrays are float32 CPU tensors of length num_timesteps(). Built once, never modified:
// pass by const reference.
struct Schedule {
  torch::Tensor betas;                // β_t
  torch::Tensor alphas;               // α_t = 1 − β_t
  torch::Tensor alphas_cumprod;       // ᾱ_t (float32 cumprod)
  torch::Tensor alphas_cumprod_prev;  // ᾱ_{t−1}, 1 at t = 0
  torch::Tensor posterior_variance;   // β_t (1 − ᾱ_{t−1}) / (1 − ᾱ_t)
  torch::Tensor logvar;               // log β_t (fixedlarge) or log max(β̃_t, 1e-20) (fixedsmall)
  VarType var_type = VarType::FixedLarge;
  // The network's time for each index: identity, or the kept original steps when respaced.
  std::vector<int64_t> timestep_map;

  int64_t num_timesteps() const { return betas.size(0); }
};

// From float32 betas, with the official op order. `timestep_map` empty means identity.
Schedule schedule_from_betas(const torch::Tensor& betas_f32, VarType var_type,
                             std::vector<int64_t> timestep_map = {});

Schedule make_schedule(const ScheduleConfig& config);

// The same schedule with its arrays on `device` (the same float32 values), so that a sampler's
// coefficients are gathered there instead of copied from the host at every step.
Schedule schedule_on(const Schedule& s, const torch::Device& device);

}  // namespace egsde
