// The official low-pass building block: functions/resizer.py (Assaf Shocher's PyTorch Resizer)
// with its defaults — linear kernel, antialiasing when downscaling, reflective borders — on the
// spatial dims of NCHW tensors. Weights are computed in float64 as NumPy does, then float32;
// forward() gathers and sums exactly like the official module, so outputs agree to float
// rounding of the same ops.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace egsde {

enum class ResizeKernel { Cubic, Lanczos2, Lanczos3, Box, Linear };

class Resizer {
 public:
  // Resizes H×W inputs by `scale_factor` on both spatial dims; the output size is
  // ceil(size·scale) as in the official fix_scale_and_size.
  Resizer(int64_t in_h, int64_t in_w, double scale_factor, ResizeKernel kernel = ResizeKernel::Linear,
          bool antialiasing = true);

  // The official forward: per resized dim, x[field_of_view] · weights summed over the kernel.
  torch::Tensor operator()(const torch::Tensor& x) const;
  // The transpose of this linear map (for closed-form gradients): H_out×W_out → H×W.
  torch::Tensor adjoint(const torch::Tensor& g) const;

  int64_t in_h() const { return in_h_; }
  int64_t in_w() const { return in_w_; }
  int64_t out_h() const { return out_h_; }
  int64_t out_w() const { return out_w_; }
  // The same resizer with its index/weight tensors on `device` (built on the CPU), so that a
  // call on that device copies nothing from the host.
  Resizer to(const torch::Device& device) const;

 private:
  struct Axis {
    int64_t dim;                // 2 (H) or 3 (W)
    torch::Tensor field_of_view;  // [K, out] int64
    torch::Tensor weights;        // [K, out, 1, 1, 1] float32
    torch::Tensor matrix;         // [out, in] float32, the same map as a dense matrix
  };
  int64_t in_h_, in_w_, out_h_, out_w_;
  std::vector<Axis> axes_;  // in the official order (ascending scale, then dim)
};

// up(down(x)): the official "die" pair built for image_size and down_N (runners/egsde.py).
struct LowPass {
  Resizer down;  // scale 1/down_N
  Resizer up;    // scale down_N
  // The official forward sums over the kernel with one tensor reduction whose summation order
  // depends on the batch size (rounding-level differences). per_image = true resizes each image
  // alone: results then do not depend on the batch (and equal the official op at batch 1).
  bool per_image = false;
  torch::Tensor operator()(const torch::Tensor& x) const;
  torch::Tensor adjoint(const torch::Tensor& g) const { return down.adjoint(up.adjoint(g)); }
  LowPass to(const torch::Device& device) const { return {down.to(device), up.to(device), per_image}; }
};

// Throws egsde::Error when image_size is not divisible by down_N (the official code would
// build mismatched shapes). `kernel`: EGSDE's Resizer defaults to linear, the ILVR code's
// (resizer.py) to cubic.
LowPass make_lowpass(int64_t image_size, int64_t down_N, bool per_image = false,
                     ResizeKernel kernel = ResizeKernel::Linear);

}  // namespace egsde
