// Energies as gradient callbacks (guided-diffusion's cond_fn style): each returns ∇_y E(y, x_t, t)
// and the sampler subtracts weight · β_t/√α_t · ∇_y E from the reverse-step mean (paper
// Algorithm 1; official functions/denoising.egsde_sample). Classifier guidance (E ∝ −log p_t(c|y))
// is one more such callback.
#pragma once
#include <torch/torch.h>

#include <functional>
#include <string>
#include <vector>

namespace egsde {

// y: the current sample (no grad), xt: the source perturbed to the same time with the shared e,
// t: the network time per image ([N] float, original steps). Returns a tensor shaped like y.
using EnergyGrad =
    std::function<torch::Tensor(const torch::Tensor& y, const torch::Tensor& xt, const torch::Tensor& t)>;

struct WeightedEnergy {
  std::string name;  // for logs and errors, e.g. "realism (s1=cosine)"
  double weight = 0;  // λ (official ls / li)
  EnergyGrad grad;
};

}  // namespace egsde
