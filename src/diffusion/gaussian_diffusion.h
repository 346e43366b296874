// guided-diffusion's diffusion arrays (gaussian_diffusion.py GaussianDiffusion.__init__,
// respace.py SpacedDiffusion, script_util.create_gaussian_diffusion): float64 as NumPy computes
// them, gathered as float32 (_extract_into_tensor). Unlike the EGSDE runner's Schedule
// (diffusion/schedule.h: float32 arrays in the official runner's op order) these are what the ILVR
// code samples with (samplers/p_sample.h) and run_train_dse.py noises with (train/dse_step.h).
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "diffusion/schedule.h"

namespace egsde {

// ModelVarType: LEARNED_RANGE for a learn_sigma model, else FIXED_LARGE, or FIXED_SMALL with
// sigma_small (script_util.create_gaussian_diffusion).
enum class ModelVarType { LearnedRange, FixedLarge, FixedSmall };

// The arrays of GaussianDiffusion.__init__, in float64 as NumPy computes them; a step gathers
// its entries and casts them to float32 (_extract_into_tensor).
struct GaussianDiffusion {
  ModelVarType var_type = ModelVarType::LearnedRange;
  std::vector<double> betas, alphas_cumprod, alphas_cumprod_prev, sqrt_alphas_cumprod,
      sqrt_one_minus_alphas_cumprod, sqrt_recip_alphas_cumprod, sqrt_recipm1_alphas_cumprod, posterior_variance,
      posterior_log_variance_clipped, posterior_mean_coef1, posterior_mean_coef2;
  std::vector<double> log_betas;              // LEARNED_RANGE's max_log
  std::vector<double> fixed_large_log_variance;  // log(append(posterior_variance[1], betas[1:]))
  std::vector<int64_t> timestep_map;          // the network's (original) time of each index

  int64_t num_timesteps() const { return static_cast<int64_t>(betas.size()); }
};

// SpacedDiffusion(use_timesteps, betas=base_betas): keeps `use_timesteps` (sorted, distinct) of
// the float64 base betas (new β = 1 − ᾱ/ᾱ_last), then GaussianDiffusion on those. All steps kept
// = GaussianDiffusion itself. Throws egsde::Error on an empty or out-of-range set.
GaussianDiffusion spaced_diffusion(const std::vector<double>& base_betas, const std::vector<int64_t>& use_timesteps,
                                   ModelVarType var_type);

// create_gaussian_diffusion on a profile's schedule: get_beta_schedule's float64 betas, then
// spaced_diffusion keeping `use_timesteps` (empty: every step, as timestep_respacing "").
GaussianDiffusion guided_diffusion(const ScheduleConfig& config, const std::vector<int64_t>& use_timesteps,
                                   ModelVarType var_type);

// _extract_into_tensor: a[i] as float32, shaped [n, 1, 1, 1] on `device`.
torch::Tensor extract_into_tensor(const std::vector<double>& a, int64_t i, int64_t n, const torch::Device& device);

// q_sample at index i: √ᾱ_i·x0 + √(1−ᾱ_i)·noise.
torch::Tensor q_sample(const GaussianDiffusion& d, int64_t i, const torch::Tensor& x0, const torch::Tensor& noise);

}  // namespace egsde
