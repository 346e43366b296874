#include "metrics/transforms.h"

namespace egsde::metrics {

std::pair<int, int> shorter_side_size(int w, int h, int size) {
  // torchvision _compute_resized_output_size with max_size None.
  const bool w_short = w <= h;
  const int s = w_short ? w : h, l = w_short ? h : w;
  const int new_long = static_cast<int>(static_cast<int64_t>(size) * l / s);
  return w_short ? std::pair{size, new_long} : std::pair{new_long, size};
}

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
