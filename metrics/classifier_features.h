// The demo's feature network (models/fmnist_classifier.h) as a metrics FeatureNetwork: its
// penultimate activations define FD-FMNIST (score key "fd"; a Fréchet distance in this
// classifier's feature space, not FID) and its logits the target-class accuracy. It takes the
// images as ToTensor at their native size (the official-afhq protocol's preprocessing).
#pragma once
#include <filesystem>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>

#include "metrics/evaluate.h"
#include "models/fmnist_classifier.h"

namespace egsde::metrics {

class ClassifierFeatures : public FeatureNetwork {
 public:
  // `config`: FmnistClassifierConfig keys ({} = defaults); weights loaded on first use.
  ClassifierFeatures(std::filesystem::path weights, nlohmann::json config);
  FeatureFn fn() override;
  FeatureFn logits_fn() override;
  std::string weights_id() const override;
  std::string distance_key() const override { return "fd"; }

 private:
  FmnistClassifier net();
  std::filesystem::path weights_;
  nlohmann::json config_;
  std::shared_ptr<std::mutex> mu_ = std::make_shared<std::mutex>();
  std::shared_ptr<FmnistClassifier> net_ = std::make_shared<FmnistClassifier>(nullptr);
};

}  // namespace egsde::metrics
