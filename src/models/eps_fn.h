// The score network as the samplers see it: ε̂(y, t) with 3 channels. Model quirks (learn_sigma's
// extra variance channels, ADM vs DDPM time embedding, DataParallel) live in the wrapper that
// builds this callback, never in a sampler.
#pragma once
#include <torch/torch.h>

#include <functional>

namespace egsde {

// y: [N,3,H,W]; t: [N] float network times (original steps). Called under no-grad.
using EpsFn = std::function<torch::Tensor(const torch::Tensor& y, const torch::Tensor& t)>;

// Called after every reverse step: repeat (0-based), the step index just taken (M−1 … 0), the new
// sample. For progress and checks; may throw to abort.
using StepObserver = std::function<void(int64_t repeat, int64_t i, const torch::Tensor& y)>;

}  // namespace egsde
