#include "core/cuda_memory.h"

#include <string>

#ifdef EGSDE_WITH_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#endif

namespace egsde {

#ifdef EGSDE_WITH_CUDA
namespace {
c10::DeviceIndex index_of(const torch::Device& d) { return d.has_index() ? d.index() : 0; }
constexpr size_t kAggregate = 0;  // StatType::AGGREGATE, whose namespace moved between LibTorch versions
}  // namespace

void reset_peak_device_memory(const torch::Device& device) {
  if (device.is_cuda()) c10::cuda::CUDACachingAllocator::resetPeakStats(index_of(device));
}

double peak_device_memory_mib(const torch::Device& device) {
  if (!device.is_cuda()) return -1;
  const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(index_of(device));
  return static_cast<double>(stats.allocated_bytes[kAggregate].peak) / (1024.0 * 1024.0);
}

void release_cached_device_memory() { c10::cuda::CUDACachingAllocator::emptyCache(); }
#else
void reset_peak_device_memory(const torch::Device&) {}
double peak_device_memory_mib(const torch::Device&) { return -1; }
void release_cached_device_memory() {}
#endif

bool is_out_of_memory(const c10::Error& e) {
  return std::string(e.what()).find("out of memory") != std::string::npos;
}

}  // namespace egsde
