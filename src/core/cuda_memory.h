// Peak CUDA memory of this process as LibTorch's caching allocator counts it (bytes handed to
// tensors, not the driver's reservations), for benchmarks. Compiled against a CUDA LibTorch only
// (EGSDE_WITH_CUDA); elsewhere, and for a CPU device, the peak is −1 and the calls do nothing.
#pragma once
#include <torch/torch.h>

namespace egsde {

void reset_peak_device_memory(const torch::Device& device);
double peak_device_memory_mib(const torch::Device& device);  // −1: not a CUDA device or build
void release_cached_device_memory();                         // after an out-of-memory try
bool is_out_of_memory(const c10::Error& e);

}  // namespace egsde
