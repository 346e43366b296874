#include "core/precision.h"

#include <ATen/autocast_mode.h>
#include <torch/version.h>

#include "core/suggest.h"

// LibTorch 2.4 replaced the per-device autocast setters by ones taking the device type.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
#define EGSDE_AUTOCAST_BY_DEVICE_TYPE 1
#endif

namespace egsde {
namespace {

const std::vector<std::pair<std::string, Precision>> kPrecisions = {
    {"fp32", Precision::Fp32}, {"tf32", Precision::Tf32}, {"bf16", Precision::Bf16}};

}  // namespace

bool autocast_enabled(bool cuda) {
#ifdef EGSDE_AUTOCAST_BY_DEVICE_TYPE
  return at::autocast::is_autocast_enabled(cuda ? at::kCUDA : at::kCPU);
#else
  return cuda ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled();
#endif
}

namespace {

at::ScalarType autocast_dtype(bool cuda) {
#ifdef EGSDE_AUTOCAST_BY_DEVICE_TYPE
  return at::autocast::get_autocast_dtype(cuda ? at::kCUDA : at::kCPU);
#else
  return cuda ? at::autocast::get_autocast_gpu_dtype() : at::autocast::get_autocast_cpu_dtype();
#endif
}

void set_autocast(bool cuda, bool enabled, at::ScalarType dtype) {
#ifdef EGSDE_AUTOCAST_BY_DEVICE_TYPE
  at::autocast::set_autocast_dtype(cuda ? at::kCUDA : at::kCPU, dtype);
  at::autocast::set_autocast_enabled(cuda ? at::kCUDA : at::kCPU, enabled);
#else
  if (cuda) {
    at::autocast::set_autocast_gpu_dtype(dtype);
    at::autocast::set_enabled(enabled);
  } else {
    at::autocast::set_autocast_cpu_dtype(dtype);
    at::autocast::set_cpu_enabled(enabled);
  }
#endif
}

}  // namespace

Precision parse_precision(const std::string& s) { return parse_named(s, kPrecisions, "precision"); }
std::string to_string(Precision p) { return name_of(p, kPrecisions); }

PrecisionScope::PrecisionScope(Precision p, const torch::Device& device) : cuda_(device.is_cuda()) {
  if (p == Precision::Bf16) {
    autocast_ = true;
    prev_enabled_ = autocast_enabled(cuda_);
    prev_dtype_ = autocast_dtype(cuda_);
    set_autocast(cuda_, true, at::kBFloat16);
    at::autocast::increment_nesting();
  }
  if (cuda_) {  // fp32 is strict: LibTorch's default lets cuDNN convolutions use TF32
    tf32_ = true;
    auto& ctx = at::globalContext();
    prev_tf32_cublas_ = ctx.allowTF32CuBLAS();
    prev_tf32_cudnn_ = ctx.allowTF32CuDNN();
    ctx.setAllowTF32CuBLAS(p == Precision::Tf32);
    ctx.setAllowTF32CuDNN(p == Precision::Tf32);
  }
}

PrecisionScope::~PrecisionScope() {
  if (autocast_) {
    if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
    set_autocast(cuda_, prev_enabled_, prev_dtype_);
  }
  if (tf32_) {
    auto& ctx = at::globalContext();
    ctx.setAllowTF32CuBLAS(prev_tf32_cublas_);
    ctx.setAllowTF32CuDNN(prev_tf32_cudnn_);
  }
}

}  // namespace egsde
