#include "metrics/transforms.h"

#include "core/image_io.h"

namespace egsde::metrics {

torch::Tensor to_tensor(const torch::Tensor& image) {
  return image.permute({2, 0, 1}).contiguous().to(torch::kFloat32).div(255);
}

torch::Tensor eval_tensor(const torch::Tensor& image, int size) {
  return to_tensor(egsde::resize_shorter_side(image, size));
}

}  // namespace egsde::metrics
