#include "metrics/classifier_features.h"

#include "core/error.h"
#include "metrics/stats_cache.h"

namespace egsde::metrics {

ClassifierFeatures::ClassifierFeatures(std::filesystem::path weights, nlohmann::json config)
    : weights_(std::move(weights)), config_(config.is_null() ? nlohmann::json::object() : std::move(config)) {}

FmnistClassifier ClassifierFeatures::net() {
  std::lock_guard<std::mutex> lock(*mu_);
  if (!*net_) {
    if (weights_.empty()) throw Error("FD / accuracy need the classifier weights (evaluation.classifier)");
    if (!std::filesystem::exists(weights_))
      throw Error("no such classifier weights file: " + weights_.string() + " (make demo-train writes it)");
    *net_ = load_fmnist_classifier(config_, weights_);
  }
  return *net_;
}

FeatureFn ClassifierFeatures::fn() {
  auto n = net();
  return [n](const torch::Tensor& x) mutable {
    torch::NoGradGuard no_grad;
    return n->features(x);
  };
}

FeatureFn ClassifierFeatures::logits_fn() {
  auto n = net();
  return [n](const torch::Tensor& x) mutable {
    torch::NoGradGuard no_grad;
    return n->forward(x);
  };
}

std::string ClassifierFeatures::weights_id() const { return weights_.empty() ? "" : file_digest(weights_); }

}  // namespace egsde::metrics
