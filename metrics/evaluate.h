// The paper's table row for one folder of translated images (tool/eval_score.py as run_score.py
// calls it): FID against the target folder or statistics, L2/MSE/PSNR/SSIM against the sources.
// Used by `egsde run` for every finished run; `egsde eval` is the same computation on the CLI.
#pragma once
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "metrics/fid.h"
#include "metrics/frechet.h"
#include "metrics/pairwise.h"
#include "metrics/protocol.h"

namespace egsde::metrics {

// The FID Inception (pytorch-fid weights), loaded on first use and shared by evaluations.
class InceptionFeatures {
 public:
  explicit InceptionFeatures(std::filesystem::path weights);
  ~InceptionFeatures();
  FeatureFn fn();
  std::string weights_id() const;  // digest of the weights file ("" when none is given)

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

struct EvalRequest {
  std::filesystem::path translated, source, target;  // target: a folder or .npz statistics
  FidProtocol protocol = FidProtocol::OfficialAfhq;
  std::filesystem::path cache;  // statistics cache folder for image folders ("" = none)
  int batch_size = 50;
  SqrtmMethod sqrtm = SqrtmMethod::Factored;  // exact for covariances; fast for N << D
};

struct EvalResult {
  // {"fid", "l2", "mse", "psnr", "ssim", "protocol", "n_images", "warnings", "fid_sqrtm"}
  nlohmann::json scores;
  std::vector<PerImageScores> per_image;  // sorted by translated name
};
EvalResult evaluate_folders(const EvalRequest& request, InceptionFeatures& inception);

}  // namespace egsde::metrics
