// SSIM and MS-SSIM as the official tool/mse_psnr_ssim_mssim.py (a copy of pytorch_msssim):
// 11-tap Gaussian window (sigma 1.5) applied separably as a valid (unpadded) convolution,
// K = (0.01, 0.03), alpha = beta = gamma = 1, float32.
#pragma once
#include <torch/torch.h>

namespace egsde::metrics {

struct SsimOptions {
  double data_range = 1.0;  // the official eval passes data_range=1
  int win_size = 11;
  double win_sigma = 1.5;
  double k1 = 0.01, k2 = 0.03;
};

// Per image SSIM of [N, C, H, W] batches: the per-channel mean of the SSIM map, averaged over
// channels -> [N] (official ssim(..., size_average=False)). A spatial side shorter than the
// window is not smoothed along that axis (as official, which warns).
torch::Tensor ssim(const torch::Tensor& x, const torch::Tensor& y, const SsimOptions& opt = {});

// Per image MS-SSIM (5 scales, official weights) -> [N]. Needs both sides > 160.
torch::Tensor ms_ssim(const torch::Tensor& x, const torch::Tensor& y, const SsimOptions& opt = {});

}  // namespace egsde::metrics
