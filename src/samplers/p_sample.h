// guided-diffusion's ancestral step as the ILVR code runs it (gaussian_diffusion.py:
// GaussianDiffusion / SpacedDiffusion, p_mean_variance, p_sample, q_sample). Unlike the EGSDE
// step (samplers/egsde.h) it forms the mean from the clipped x0 prediction through the posterior
// q(x_{t−1} | x_t, x0) and, for a learn_sigma model, uses the model's own variance.
#pragma once
#include <torch/torch.h>

#include <cstdint>

#include "diffusion/gaussian_diffusion.h"
#include "models/eps_fn.h"
#include "samplers/noise.h"

namespace egsde {

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
