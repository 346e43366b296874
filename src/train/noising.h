// The forward process every training objective noises with: guided_diffusion's training
// diffusion (create_gaussian_diffusion, timestep_respacing ""), whose √ᾱ and √(1 − ᾱ) are
// float64 arrays (diffusion/gaussian_diffusion.h) cast to float32 per gathered element, as
// _extract_into_tensor does. Used by train-dse, eval-dse and train-score.
#pragma once
#include <torch/torch.h>

#include <cstdint>

#include "diffusion/gaussian_diffusion.h"

namespace egsde::train {

// The two coefficient arrays, float32 CPU tensors of length T.
struct NoisingCoefficients {
  torch::Tensor sqrt_alphas_cumprod, sqrt_one_minus_alphas_cumprod;
  int64_t num_timesteps() const { return sqrt_alphas_cumprod.size(0); }
};
NoisingCoefficients noising_coefficients(const ScheduleConfig& schedule);

// GaussianDiffusion.q_sample with explicit noise: √ᾱ_t·x0 + √(1 − ᾱ_t)·noise (float32), t int64 [B].
torch::Tensor q_sample(const NoisingCoefficients& c, const torch::Tensor& x0, const torch::Tensor& t,
                       const torch::Tensor& noise);

}  // namespace egsde::train
