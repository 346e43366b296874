// PIL's `Image.resize` (Pillow's libImaging/Resample.c) reimplemented: a separable two-pass
// convolution (horizontal first, then vertical) whose kernel support grows with the
// down-scaling factor (antialiasing). The uint8 path uses PIL's 22-bit fixed-point weights and
// rounds/clips to uint8 after each pass, so the output equals Pillow's byte for byte; the float
// path is PIL's mode-'F' resampling (double weights, float32 between passes).
#pragma once
#include <torch/torch.h>

#include <utility>

namespace egsde {

enum class PilFilter { Bilinear, Bicubic };

// [H, W, C] uint8 -> [out_h, out_w, C] uint8, like PIL Image.resize((out_w, out_h), filter).
torch::Tensor pil_resize(const torch::Tensor& image_hwc_u8, int out_w, int out_h, PilFilter filter);

// [H, W] float32 -> [out_h, out_w] float32, like PIL mode 'F' Image.resize (one channel).
torch::Tensor pil_resize_float(const torch::Tensor& plane_hw_f32, int out_w, int out_h, PilFilter filter);

// torchvision Resize(size) with an int: the shorter side becomes `size`, the longer one
// int(size * long / short) (truncated; torchvision _compute_resized_output_size, max_size None).
// Returns {out_w, out_h}.
std::pair<int, int> shorter_side_size(int w, int h, int size);

}  // namespace egsde
