// The domain-specific encoder (DSE): official guided_diffusion/unet.py DSE_inference /
// DSE_train as script_util.py create_dse builds them. Both classes have the same modules
// (the I2Iout head included), so one checkpoint loads into either; they differ only in
// forward. float32 only.
#pragma once
#include <torch/torch.h>

#include <nlohmann/json.hpp>
#include <string>

#include "models/adm_trunk.h"

namespace egsde {

// create_dse's `phase`: 'test' (DSE_inference) returns the middle-block features,
// 'train' (DSE_train) the class logits.
enum class DsePhase { Test, Train };

DsePhase parse_dse_phase(const std::string& phase);  // "test" / "train", else Error
std::string to_string(DsePhase phase);

// create_dse's arguments, same names; defaults are script_util.classifier_defaults().
struct AdmDseConfig {
  int64_t image_size = 256;
  int64_t num_class = 2;
  bool classifier_use_fp16 = false;  // true is rejected: egsde runs in float32
  int64_t classifier_width = 128;
  int64_t classifier_depth = 2;
  std::string classifier_attention_resolutions = "32,16,8";
  bool classifier_use_scale_shift_norm = true;
  bool classifier_resblock_updown = true;
  std::string classifier_pool = "attention";  // "attention" or "adaptive"
  // egsde extension (not in create_dse, which picks channel_mult by image size only):
  // "" = by image size as create_dse; "1,2,2" for sizes create_dse has no entry for (the
  // demo's 32x32). Omitted from to_json() when empty, so official configs are unchanged.
  std::string classifier_channel_mult = "";
  DsePhase phase = DsePhase::Test;

  // Reads the keys above ("phase": "test" / "train"). Unknown keys and wrong types are an
  // egsde::Error naming the key (and the nearest valid one).
  static AdmDseConfig from_json(const nlohmann::json& j);
  nlohmann::json to_json() const;

  std::vector<int64_t> attention_ds() const;  // image_size // res, per resolution
  std::vector<double> channel_mult_values() const;
  void validate() const;
};

class AdmDseImpl : public torch::nn::Module {
 public:
  explicit AdmDseImpl(const AdmDseConfig& config);

  // x [N, 3, H, W], timesteps [N] (or 0-d). Phase Test: features [N, C, H/ds, W/ds];
  // phase Train: logits [N, num_class].
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& timesteps);
  torch::Tensor features(const torch::Tensor& x, const torch::Tensor& timesteps);
  torch::Tensor logits(const torch::Tensor& x, const torch::Tensor& timesteps);

  DsePhase phase() const { return config_.phase; }
  void set_phase(DsePhase phase) { config_.phase = phase; }
  const AdmDseConfig& config() const { return config_; }

 private:
  AdmDseConfig config_;
  adm::Trunk trunk_;
  torch::nn::Sequential i2i_out_{nullptr};
};
TORCH_MODULE(AdmDse);

}  // namespace egsde
