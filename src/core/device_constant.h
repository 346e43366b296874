// Small constant tensors computed on the CPU (in the official op order, so their float32 values
// equal the official code's) and kept per device: a CUDA forward then does not copy them from
// pageable host memory, which would synchronise the stream, at every call.
#pragma once
#include <torch/torch.h>

#include <functional>
#include <string>

namespace egsde {

// build() on first use for (key, device), then the cached copy on `device`. Thread-safe; the
// cached tensors must never be written (they are shared).
torch::Tensor device_constant(const std::string& key, const torch::Device& device,
                              const std::function<torch::Tensor()>& build);

}  // namespace egsde
