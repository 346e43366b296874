// Exponential moving average of a module's parameters (guided_diffusion/train_util.py
// update_ema: targ = rate·targ + (1 − rate)·src), with the usual warm-up
// rate_k = min(rate, (1 + k) / (10 + k)) so that short runs are not dominated by the
// random initialisation.
#pragma once
#include <torch/torch.h>

#include <string>
#include <vector>

#include "core/checkpoint.h"

namespace egsde::train {

class Ema {
 public:
  Ema(const torch::nn::Module& module, double rate);
  void update(const torch::nn::Module& module, int64_t step);
  // The module's state dict with the averaged parameters (buffers as in the module).
  StateDict state_dict(const torch::nn::Module& module) const;
  std::vector<torch::Tensor>& params() { return params_; }
  double rate() const { return rate_; }

 private:
  double rate_;
  std::vector<std::string> names_;
  std::vector<torch::Tensor> params_;
};

}  // namespace egsde::train
