// The ADM score network: official guided_diffusion/unet.py UNetModel as script_util.py
// create_model builds it (3 input channels, 3 or 6 output channels). float32 only.
#pragma once
#include <torch/torch.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "models/adm_blocks.h"
#include "models/adm_trunk.h"

namespace egsde {

// create_model's arguments, same names. Arguments create_model requires without a default
// take the official cat2dog profile's values (image_size 256, num_channels 128,
// num_res_blocks 1, num_class 2); the others have create_model's defaults.
struct AdmUNetConfig {
  int64_t image_size = 256;
  int64_t num_class = 2;  // used only with class_cond
  int64_t num_channels = 128;
  int64_t num_res_blocks = 1;
  std::string channel_mult = "";  // "" = by image size, else "1,1,2,2,4,4"
  bool learn_sigma = false;
  bool class_cond = false;
  bool use_checkpoint = false;  // gradient checkpointing: accepted, no effect here
  std::string attention_resolutions = "16";  // resolutions, e.g. "32,16,8"
  int64_t num_heads = 1;
  int64_t num_head_channels = -1;
  int64_t num_heads_upsample = -1;
  bool use_scale_shift_norm = false;
  double dropout = 0.0;
  bool resblock_updown = false;
  bool use_fp16 = false;  // true is rejected: egsde runs in float32
  bool use_new_attention_order = false;

  // Reads the keys above; also accepts, and ignores, the other keys of the official
  // profiles' `model:` sections (type, in_channels, out_ch, var_type). Unknown keys and
  // wrong types are an egsde::Error naming the key (and the nearest valid one).
  static AdmUNetConfig from_json(const nlohmann::json& j);
  nlohmann::json to_json() const;

  std::vector<double> channel_mult_values() const;  // create_model's channel_mult tuple
  std::vector<int64_t> attention_ds() const;         // image_size // res, per resolution
  int64_t out_channels() const { return learn_sigma ? 6 : 3; }
  void validate() const;  // Error on use_fp16, non-positive sizes, class_cond without classes
};

class AdmUNetImpl : public torch::nn::Module {
 public:
  explicit AdmUNetImpl(const AdmUNetConfig& config);

  // x [N, 3, H, W], timesteps [N] (or 0-d), y [N] int64 labels iff class_cond.
  // Returns all out_channels() channels (eps, then the variance values with learn_sigma).
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& timesteps,
                        const torch::Tensor& y = {});

  const AdmUNetConfig& config() const { return config_; }

 private:
  AdmUNetConfig config_;
  adm::Trunk trunk_;
  torch::nn::Embedding label_emb_{nullptr};
  torch::nn::ModuleList output_blocks_{nullptr};
  std::vector<adm::TimestepEmbedSequential> outputs_;
  torch::nn::Sequential out_{nullptr};
};
TORCH_MODULE(AdmUNet);

}  // namespace egsde
