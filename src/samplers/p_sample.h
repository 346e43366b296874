// guided-diffusion's ancestral step as the ILVR code runs it (gaussian_diffusion.py:
// GaussianDiffusion / SpacedDiffusion, p_mean_variance, p_sample, q_sample). Unlike the EGSDE
// step (samplers/egsde.h) it forms the mean from the clipped x0 prediction through the posterior
// q(x_{t−1} | x_t, x0) and, for a learn_sigma model, uses the model's own variance.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "models/eps_fn.h"
#include "samplers/noise.h"

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

// q_sample: √ᾱ_i·x0 + √(1−ᾱ_i)·noise.
torch::Tensor q_sample(const GaussianDiffusion& d, int64_t i, const torch::Tensor& x0, const torch::Tensor& noise);

struct MeanVariance {
  torch::Tensor mean, log_variance, pred_xstart;
};

// p_mean_variance at index i for an ε-predicting model: `model_output` is the network's whole
// output (ε, then with LEARNED_RANGE the variance values v: log σ² = frac·log β + (1−frac)·
// posterior_log_variance_clipped, frac = (v+1)/2); pred_xstart = √(1/ᾱ)·x − √(1/ᾱ−1)·ε, clamped to
// [−1, 1] when clip_denoised; mean = q_posterior_mean_variance(pred_xstart, x). Throws
// egsde::Error when the channel count does not fit var_type.
MeanVariance p_mean_variance(const GaussianDiffusion& d, int64_t i, const torch::Tensor& x,
                             const torch::Tensor& model_output, bool clip_denoised = true);

struct PSample {
  torch::Tensor sample, pred_xstart;
};

// p_sample: `model` (its whole output, at the network times timestep_map[i]), p_mean_variance,
// then mean + [i≠0]·exp(½ log σ²)·z with z = noise.randn_like(x), drawn also at i = 0.
PSample p_sample(const EpsFn& model, const GaussianDiffusion& d, int64_t i, const torch::Tensor& x,
                 NoiseSource& noise, bool clip_denoised = true);

}  // namespace egsde
