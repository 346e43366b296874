// Pairwise faithfulness metrics between translated and source images, as the official
// tool/eval_score.py computes them: each image Resize(256, BICUBIC) + ToTensor in [0, 1];
//   l2   = mean over images of ||s - t||_2 over 3x256x256 (float32; calculate_l2_given_paths)
//   mse  = mean of per-image mean squared error in float64 (calculate_mse)
//   psnr = mean of 10 log10(1 / (mse + 1e-10)) per image, float64 (calculate_psnr)
//   ssim = mean of per-image SSIM, float32 (calculate_ssim with data_range 1)
// Every metric pairs by name (the official MSE/PSNR/SSIM pair by sorted order: see pairing.h).
#pragma once
#include <torch/torch.h>

#include <filesystem>
#include <string>
#include <vector>

#include "metrics/pairing.h"

namespace egsde::metrics {

struct PairScores {
  double l2 = 0, mse = 0, psnr = 0, ssim = 0;
  double ms_ssim = std::nan("");  // only with PairwiseOptions::ms_ssim
};

// One translated image's scores against its name partner; source_by_order is the official
// sorted-order partner (the same file unless Pairing::warnings says otherwise), for reference.
struct PerImageScores {
  std::filesystem::path translated, source_by_name, source_by_order;
  PairScores scores;
};

struct PairwiseResult {
  PairScores mean;
  std::vector<PerImageScores> per_image;
  std::vector<std::string> warnings;
};

struct PairwiseOptions {
  int size = 256;        // Resize(size, BICUBIC) of the official eval
  bool ms_ssim = false;  // extra: MS-SSIM (official calculate_msssim, not in the paper's table)
};

// Scores of two [3, H, W] float32 tensors in [0, 1] (already resized).
PairScores score_pair(const torch::Tensor& translated, const torch::Tensor& source, bool with_ms_ssim = false);

// All pairs of a Pairing; images are decoded and resized in parallel (at::parallel_for).
// Throws egsde::Error naming both files when a pair's sizes differ after resizing.
PairwiseResult pairwise_metrics(const Pairing& pairing, const PairwiseOptions& opt = {});

}  // namespace egsde::metrics
