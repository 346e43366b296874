// The paper's table row for one folder of translated images (tool/eval_score.py as run_score.py
// calls it): FID against the target folder or statistics, L2/MSE/PSNR/SSIM against the sources,
// plus the extras (KID, MS-SSIM). The one evaluation path: `egsde run` calls it for every
// finished run, `egsde eval` is a thin adapter over it (options -> request -> print/write).
#pragma once
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "metrics/feature_network.h"
#include "metrics/fid_kid.h"
#include "metrics/pairwise.h"

namespace egsde::metrics {

// DistanceOptions: protocol, batch_size, sqrtm, cache (the target's statistics only: the
// translated folder changes with every run and is never cached), kid, kid_options.
struct EvalRequest : DistanceOptions {
  std::filesystem::path translated, source;
  std::filesystem::path target;                       // a folder or statistics (.npz/.h5); unused without fid
  std::vector<std::filesystem::path> source_files;    // when not empty: these sources (of `source`), not its listing
  bool fid = true;       // false: no distance (no feature network used); scores[distance_key] = null
  bool ms_ssim = false;  // also MS-SSIM (official calculate_msssim)
  int64_t target_class = -1;  // with a classifier network: score "accuracy" = share predicted as this
};

struct EvalResult {
  // {"fid" (or "fd"), "fid_sqrtm", "fid_eps_offset", "l2", "mse", "psnr", "ssim", "protocol",
  //  "n_images", "n_sources", "pairing", "warnings", "notes"
  //  [, "kid", "kid_std", "kid_subsets", "kid_subset_size", "kid_seed"] [, "ms_ssim"] [, "accuracy"]}
  nlohmann::json scores;
  std::vector<PerImageScores> per_image;  // sorted by translated name
  // With target_class: per_image_classifier_columns() → one value per per_image row.
  std::map<std::string, std::vector<double>> classifier;
};
// Checks everything cheap first (pairing, the target side, the folders' image counts), then
// computes. Throws egsde::Error with one line naming the file or folder.
EvalResult evaluate_folders(const EvalRequest& request, FeatureNetwork& network);

}  // namespace egsde::metrics
