// The demo's feature network (issue 7): a small CNN over the 10 Fashion-MNIST classes, trained
// by `egsde train-features`. Its penultimate activations define FD-FMNIST (a Fréchet distance
// like FID, but in this network's feature space — not comparable with FID) and its logits give
// the target-class accuracy of translated images. Not part of the official code.
#pragma once
#include <torch/torch.h>

#include <filesystem>
#include <nlohmann/json.hpp>

namespace egsde {

struct FmnistClassifierConfig {
  int64_t width = 32;         // channels of the first stage (then 2x, 4x)
  int64_t feature_dim = 128;  // the penultimate layer: FD-FMNIST's feature space
  int64_t num_class = 10;

  static FmnistClassifierConfig from_json(const nlohmann::json& j);  // strict keys
  nlohmann::json to_json() const;
};

class FmnistClassifierImpl : public torch::nn::Module {
 public:
  explicit FmnistClassifierImpl(const FmnistClassifierConfig& config);

  // x [N, 3, H, W] in [0, 1] (torchvision ToTensor, as the metrics' native protocol feeds it).
  torch::Tensor features(const torch::Tensor& x);  // [N, feature_dim]
  torch::Tensor forward(const torch::Tensor& x);   // logits [N, num_class]
  torch::Tensor logits_from_features(const torch::Tensor& f);

  const FmnistClassifierConfig& config() const { return config_; }

 private:
  FmnistClassifierConfig config_;
  torch::nn::Sequential body_{nullptr};
  torch::nn::Linear fc_{nullptr}, head_{nullptr};
};
TORCH_MODULE(FmnistClassifier);

// Builds the network for `config` and loads `weights` (state dict) strictly.
FmnistClassifier load_fmnist_classifier(const nlohmann::json& config, const std::filesystem::path& weights);

}  // namespace egsde
