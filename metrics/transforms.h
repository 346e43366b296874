// torchvision transforms on PIL images, as the official evaluation composes them
// (torchvision 0.14 semantics, PIL backend).
#pragma once
#include <torch/torch.h>

namespace egsde::metrics {

// transforms.ToTensor: [H, W, C] uint8 -> [C, H, W] float32 in [0, 1] (x / 255 in float32).
torch::Tensor to_tensor(const torch::Tensor& image_hwc_u8);

// The L2/MSE/PSNR/SSIM input of the official eval: Resize(256, BICUBIC) (core/image_io.h
// resize_shorter_side) then ToTensor.
torch::Tensor eval_tensor(const torch::Tensor& image_hwc_u8, int size = 256);

}  // namespace egsde::metrics
