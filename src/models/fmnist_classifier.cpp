#include "models/fmnist_classifier.h"

#include "core/checkpoint.h"
#include "models/adm_config.h"

namespace egsde {

namespace nn = torch::nn;

FmnistClassifierConfig FmnistClassifierConfig::from_json(const nlohmann::json& j) {
  FmnistClassifierConfig c;
  adm::read_json_fields(j, "FMNIST classifier config",
                        {adm::int_field("width", c.width), adm::int_field("feature_dim", c.feature_dim),
                         adm::int_field("num_class", c.num_class)});
  return c;
}

nlohmann::json FmnistClassifierConfig::to_json() const {
  return {{"width", width}, {"feature_dim", feature_dim}, {"num_class", num_class}};
}

namespace {
nn::Conv2d conv3(int64_t in, int64_t out) { return nn::Conv2d(nn::Conv2dOptions(in, out, 3).padding(1)); }
}  // namespace

FmnistClassifierImpl::FmnistClassifierImpl(const FmnistClassifierConfig& c) : config_(c) {
  const int64_t w = c.width;
  // Two conv stages with 2x2 max-pooling, a third stage, global average pooling.
  body_ = register_module("body", nn::Sequential(conv3(3, w), nn::ReLU(), conv3(w, w), nn::ReLU(),
                                                 nn::MaxPool2d(2), conv3(w, 2 * w), nn::ReLU(), conv3(2 * w, 2 * w),
                                                 nn::ReLU(), nn::MaxPool2d(2), conv3(2 * w, 4 * w), nn::ReLU(),
                                                 nn::AdaptiveAvgPool2d(1), nn::Flatten()));
  fc_ = register_module("fc", nn::Linear(4 * w, c.feature_dim));
  head_ = register_module("head", nn::Linear(c.feature_dim, c.num_class));
}

torch::Tensor FmnistClassifierImpl::features(const torch::Tensor& x) {
  return torch::relu(fc_->forward(body_->forward(2 * x - 1)));
}

torch::Tensor FmnistClassifierImpl::logits_from_features(const torch::Tensor& f) { return head_->forward(f); }

torch::Tensor FmnistClassifierImpl::forward(const torch::Tensor& x) { return logits_from_features(features(x)); }

FmnistClassifier load_fmnist_classifier(const nlohmann::json& config, const std::filesystem::path& weights) {
  FmnistClassifier net(FmnistClassifierConfig::from_json(config));
  load_state_dict(*net, read_state_dict(weights), weights.string());
  net->eval();
  return net;
}

}  // namespace egsde
