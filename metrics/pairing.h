// Which source image each translated image is compared with.
// The official eval pairs in two ways (tool/eval_score.py, tool/mse_psnr_ssim_mssim.py):
//  - L2 by name: translated "<stem>.<any>" ↔ source "<stem>.jpg", stem = text before the
//    first '.' (calculate_l2_given_paths);
//  - MSE/PSNR/SSIM by sorted order: i-th sorted translated ↔ i-th sorted source (aligndataset).
// Both are computed; when they disagree the official numbers are still reproduced and a
// warning says so.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

namespace egsde::metrics {

struct Pairing {
  std::vector<std::filesystem::path> translated;  // sorted
  std::vector<std::filesystem::path> by_name;     // partner of translated[i] by stem
  std::vector<std::filesystem::path> by_order;    // i-th sorted source image
  std::vector<std::string> warnings;              // e.g. the two pairings disagree
};

// The official stem: the file name up to its first '.'.
std::string official_stem(const std::filesystem::path& file);

// Pairs the images of `translated_dir` with those of `source_dir`. A source "<stem>.jpg" is
// preferred (official), any other image extension is accepted. Throws egsde::Error listing every
// translated image without a partner, on an ambiguous partner, on an empty folder, or when the
// source folder has fewer images than the translated one.
Pairing pair_images(const std::filesystem::path& translated_dir, const std::filesystem::path& source_dir);

}  // namespace egsde::metrics
