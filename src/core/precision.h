// Numeric precision of the networks' forward passes (issue 8): fp32 (the official code and
// every parity test), tf32 (CUDA matmul/conv in TensorFloat-32; no effect on the CPU) and bf16
// (autocast: convolutions and matmuls in bfloat16, normalisations and softmax kept in float32 by
// GroupNorm32 / the attention as in guided-diffusion). Samples stay float32 between steps. Opt-in:
// bf16 changes the images (results/bench/README.md measures how much).
#pragma once
#include <torch/torch.h>

#include <string>

namespace egsde {

enum class Precision { Fp32, Tf32, Bf16 };

Precision parse_precision(const std::string& s);  // "fp32" | "tf32" | "bf16"; egsde::Error otherwise
std::string to_string(Precision p);

// Whether autocast is on for this thread on the CPU (cuda false) or on CUDA (cuda true); hides
// LibTorch 2.4's move from per-device functions to ones taking the device type.
bool autocast_enabled(bool cuda);

// Applies `p` for the current thread (autocast is thread-local) on `device` and restores the
// previous state on destruction. On CUDA the TF32 flags (process-wide) are set to p == Tf32 for
// the scope: fp32 is strict fp32, although LibTorch's default lets cuDNN convolutions use TF32.
class PrecisionScope {
 public:
  PrecisionScope(Precision p, const torch::Device& device);
  ~PrecisionScope();
  PrecisionScope(const PrecisionScope&) = delete;
  PrecisionScope& operator=(const PrecisionScope&) = delete;

 private:
  bool autocast_ = false, cuda_ = false;
  bool prev_enabled_ = false, prev_tf32_cublas_ = false, prev_tf32_cudnn_ = false, tf32_ = false;
  at::ScalarType prev_dtype_ = at::kFloat;
};

}  // namespace egsde
