// The network whose features define the Fréchet distance (and KID) of an evaluation: the FID
// Inception here, the demo's classifier in classifier_features.h.
#pragma once
#include <filesystem>
#include <memory>
#include <string>

#include "metrics/fid.h"

namespace egsde::metrics {

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

}  // namespace egsde::metrics
