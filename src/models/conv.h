// torch::nn::Conv2d (same parameters and state-dict keys) whose 3×3 stride-1 convolutions can
// run by oneDNN's Winograd on the CPU (models/winograd.h); direct by default. Used by the ADM
// networks (score model and DSE) and the DDPM score network.
#pragma once
#include <torch/torch.h>

#include "models/winograd.h"

namespace egsde {

class ConvImpl : public torch::nn::Conv2dImpl {
 public:
  explicit ConvImpl(const torch::nn::Conv2dOptions& options);
  torch::Tensor forward(const torch::Tensor& x);
  ConvAlgo algo = ConvAlgo::Direct;

 private:
  bool winograd_shape_ = false;  // 3×3, stride 1, padding 1, dilation 1, one group, zero padding
};
TORCH_MODULE(Conv);

// Sets the algorithm of every Conv inside `module`; returns how many there are.
int64_t set_conv_algo(torch::nn::Module& module, ConvAlgo algo);

}  // namespace egsde
