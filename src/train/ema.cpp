#include "train/ema.h"

#include <algorithm>

namespace egsde::train {

Ema::Ema(const torch::nn::Module& module, double rate) : rate_(rate) {
  for (const auto& p : module.named_parameters()) {
    names_.push_back(p.key());
    params_.push_back(p.value().detach().clone());
  }
}

void Ema::update(const torch::nn::Module& module, int64_t step) {
  torch::NoGradGuard no_grad;
  const double r = std::min(rate_, (1.0 + static_cast<double>(step)) / (10.0 + static_cast<double>(step)));
  const auto ps = module.parameters();
  for (size_t i = 0; i < params_.size(); ++i) params_[i].mul_(r).add_(ps[i].detach(), 1.0 - r);
}

StateDict Ema::state_dict(const torch::nn::Module& module) const {
  StateDict sd = module_state_dict(module);
  for (size_t i = 0; i < names_.size(); ++i) sd[names_[i]] = params_[i].clone();
  return sd;
}

}  // namespace egsde::train
