// Per-image records of an evaluated folder as one HDF5 file (what `egsde run` writes to
// OUT/<run>/per_image.h5): datasets image (names), l2, mse, psnr, ssim (the official eval's
// per-image values), noise_seed (int64, the per-sample generator's seed, bit for bit) and
// seconds (translation time per image); string attributes from `attrs`. Written atomically;
// read back by read_per_image_h5 (the report's per-image comparisons and image browser).
#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "metrics/pairwise.h"

namespace egsde::metrics {

// With a classifier evaluation (EvalResult::classifier): "target_prob" (its softmax probability
// of the target class) and "verdict" (1: it predicts the target class, else 0), per image.
const std::vector<std::string>& per_image_classifier_columns();

// `extra`: more float64 columns, one value per row (per_image_classifier_columns()).
void write_per_image_h5(const std::filesystem::path& path, const std::vector<PerImageScores>& rows,
                        const std::vector<int64_t>& noise_seed, const std::vector<double>& seconds,
                        const std::map<std::string, std::string>& attrs,
                        const std::map<std::string, std::vector<double>>& extra = {});

struct PerImageRecords {
  std::vector<std::string> image;                     // translated file names, one per row
  // "l2", "mse", "psnr", "ssim" [, "target_prob", "verdict" when written] → one value per row
  std::map<std::string, std::vector<double>> scores;
  std::vector<int64_t> noise_seed;
  std::vector<double> seconds;
  std::map<std::string, std::string> attrs;           // the string attributes (run_id, label, seed)
};

// The metrics a per_image.h5 holds per image, in its dataset order.
const std::vector<std::string>& per_image_metrics();

// Reads what write_per_image_h5 wrote. Throws one egsde::Error line naming the file when it does
// not exist, is no HDF5 file, lacks a dataset or has columns of different lengths.
PerImageRecords read_per_image_h5(const std::filesystem::path& path);

}  // namespace egsde::metrics
