#include "metrics/transforms.h"

namespace egsde::metrics {

torch::Tensor resize_shorter_side(const torch::Tensor& image, int size, PilFilter filter) {
  const int h = static_cast<int>(image.size(0)), w = static_cast<int>(image.size(1));
  const auto [ow, oh] = shorter_side_size(w, h, size);
  if (ow == w && oh == h) return image.clone();
  return pil_resize(image, ow, oh, filter);
}

torch::Tensor to_tensor(const torch::Tensor& image) {
  return image.permute({2, 0, 1}).contiguous().to(torch::kFloat32).div(255);
}

torch::Tensor eval_tensor(const torch::Tensor& image, int size) {
  return to_tensor(resize_shorter_side(image, size, PilFilter::Bicubic));
}

}  // namespace egsde::metrics
