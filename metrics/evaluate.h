// The paper's table row for one folder of translated images (tool/eval_score.py as run_score.py
// calls it): FID against the target folder or statistics, L2/MSE/PSNR/SSIM against the sources.
// Used by `egsde run` for every finished run; `egsde eval` is the same computation on the CLI.
#pragma once
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "metrics/fid.h"
#include "metrics/frechet.h"
#include "metrics/pairwise.h"
#include "metrics/protocol.h"

namespace egsde::metrics {

// The network whose features define the Fréchet distance of an evaluation (and, when it is a
// classifier, the target-class accuracy).
class FeatureNetwork {
 public:
  virtual ~FeatureNetwork() = default;
  virtual FeatureFn fn() = 0;
  virtual std::string weights_id() const = 0;  // digest of the weights file ("" when none is given)
  // The score key of the distance: "fid" (Inception) or "fd" (another feature space).
  virtual std::string distance_key() const = 0;
  // Class logits of the same inputs; empty when the network is not a classifier.
  virtual FeatureFn logits_fn() { return {}; }
};

// The FID Inception (pytorch-fid weights), loaded on first use and shared by evaluations.
class InceptionFeatures : public FeatureNetwork {
 public:
  explicit InceptionFeatures(std::filesystem::path weights);
  ~InceptionFeatures() override;
  FeatureFn fn() override;
  std::string weights_id() const override;
  std::string distance_key() const override { return "fid"; }

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

struct EvalRequest {
  std::filesystem::path translated, source, target;  // target: a folder or .npz statistics
  std::vector<std::filesystem::path> source_files;   // when not empty: these sources (of `source`), not its listing
  FidProtocol protocol = FidProtocol::OfficialAfhq;
  std::filesystem::path cache;  // statistics cache folder for image folders ("" = none)
  int batch_size = 50;
  SqrtmMethod sqrtm = SqrtmMethod::Factored;  // exact for covariances; fast for N << D
  int64_t target_class = -1;  // with a classifier network: score "accuracy" = share predicted as this
};

struct EvalResult {
  // {"fid" (or "fd"), "l2", "mse", "psnr", "ssim", "protocol", "n_images", "warnings", "fid_sqrtm"
  //  [, "accuracy"]}
  nlohmann::json scores;
  std::vector<PerImageScores> per_image;  // sorted by translated name
};
EvalResult evaluate_folders(const EvalRequest& request, FeatureNetwork& network);

}  // namespace egsde::metrics
