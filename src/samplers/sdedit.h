// SDEdit (Meng et al. 2021): EGSDE with λs = λi = 0. This path runs no energy work at all (no
// DSE, no low-pass, no x_t) and gives the same numbers as EGSDE with zero weights.
#pragma once
#include "samplers/egsde.h"

namespace egsde {

std::vector<torch::Tensor> sdedit_sample(const torch::Tensor& x0, const EpsFn& eps_fn, const Schedule& s,
                                         const EgsdeConfig& config, NoiseSource& noise,
                                         const StepObserver& observer = {});

}  // namespace egsde
