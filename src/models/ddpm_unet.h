// The DDPM score network of the official code (models/ddpm.py `Model`, the male2female
// backbone), float32. Registered names equal the official state-dict keys without the
// DataParallel 'module.' prefix: temb.dense.0.weight, down.0.block.0.norm1.weight,
// mid.attn_1.q.weight, up.1.upsample.conv.weight, norm_out.weight, conv_out.weight, ...
#pragma once
#include <torch/torch.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "models/conv.h"

namespace egsde {

// The yml `model:` keys Model reads (same names) plus data.image_size and, for
// type 'bayesian', diffusion.num_diffusion_timesteps. Defaults: the male2female profile.
struct DdpmConfig {
  std::string type = "simple";  // 'bayesian' adds the `logvar` parameter [num_timesteps]
  int64_t in_channels = 3;
  int64_t out_ch = 3;
  int64_t ch = 128;
  std::vector<int64_t> ch_mult = {1, 1, 2, 2, 4, 4};
  int64_t num_res_blocks = 2;
  std::vector<int64_t> attn_resolutions = {16};
  double dropout = 0.0;
  std::string var_type = "fixedsmall";  // used by the sampler (logvar), not by the network
  double ema_rate = 0.999;              // training only: accepted, no effect here
  bool ema = true;                      // training only: accepted, no effect here
  bool resamp_with_conv = true;
  int64_t image_size = 256;                // data.image_size
  int64_t num_diffusion_timesteps = 1000;  // diffusion.num_diffusion_timesteps

  // `whole_config`: the official yml structure as JSON, with `model` and `data` sections
  // (`diffusion` optional). Unknown `model` keys and wrong types are an egsde::Error naming
  // the key and the nearest valid one; other sections' keys are not checked here.
  static DdpmConfig from_json(const nlohmann::json& whole_config);
  // The `model` section plus data.image_size and diffusion.num_diffusion_timesteps.
  nlohmann::json to_json() const;
};

namespace ddpm {

// ddpm.py get_timestep_embedding: [N] timesteps -> [N, dim], sin half first, then cos
// (zero-padded for odd dim).
torch::Tensor get_timestep_embedding(const torch::Tensor& timesteps, int64_t dim);

// ddpm.py ResnetBlock (conv_shortcut = false, as Model builds it: a 1x1 nin_shortcut when
// the channel count changes).
class ResnetBlockImpl : public torch::nn::Module {
 public:
  ResnetBlockImpl(int64_t in_channels, int64_t out_channels, int64_t temb_channels,
                  double dropout);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& temb);

 private:
  torch::nn::GroupNorm norm1_{nullptr}, norm2_{nullptr};
  Conv conv1_{nullptr}, conv2_{nullptr}, nin_shortcut_{nullptr};
  torch::nn::Linear temb_proj_{nullptr};
  torch::nn::Dropout dropout_{nullptr};
};
TORCH_MODULE(ResnetBlock);

// ddpm.py AttnBlock: single-head spatial self-attention with a residual.
class AttnBlockImpl : public torch::nn::Module {
 public:
  explicit AttnBlockImpl(int64_t channels);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  torch::nn::GroupNorm norm_{nullptr};
  Conv q_{nullptr}, k_{nullptr}, v_{nullptr}, proj_out_{nullptr};
};
TORCH_MODULE(AttnBlock);

// ddpm.py Upsample: nearest x2, then a 3x3 conv "conv" when with_conv.
class UpsampleImpl : public torch::nn::Module {
 public:
  UpsampleImpl(int64_t channels, bool with_conv);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  Conv conv_{nullptr};
};
TORCH_MODULE(Upsample);

// ddpm.py Downsample: zero-pad right/bottom by 1 then a stride-2 3x3 conv "conv", or 2x2
// average pooling.
class DownsampleImpl : public torch::nn::Module {
 public:
  DownsampleImpl(int64_t channels, bool with_conv);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  Conv conv_{nullptr};
};
TORCH_MODULE(Downsample);

// One resolution level of the down or up path: `block`, `attn`, and `downsample` /
// `upsample` (absent at the last / first level).
class LevelImpl : public torch::nn::Module {
 public:
  LevelImpl();
  torch::nn::ModuleList block, attn;
  Downsample downsample{nullptr};
  Upsample upsample{nullptr};
};
TORCH_MODULE(Level);

}  // namespace ddpm

class DdpmUNetImpl : public torch::nn::Module {
 public:
  explicit DdpmUNetImpl(const DdpmConfig& config);
  // x [N, in_channels, image_size, image_size], t [N] -> [N, out_ch, image_size, image_size].
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& t);
  const DdpmConfig& config() const { return config_; }

 private:
  DdpmConfig config_;
  torch::nn::ModuleList temb_dense_{nullptr};
  Conv conv_in_{nullptr}, conv_out_{nullptr};
  torch::nn::ModuleList down_{nullptr}, up_{nullptr};
  ddpm::ResnetBlock mid_block_1_{nullptr}, mid_block_2_{nullptr};
  ddpm::AttnBlock mid_attn_1_{nullptr};
  torch::nn::GroupNorm norm_out_{nullptr};
  torch::Tensor logvar_;  // type 'bayesian' only
};
TORCH_MODULE(DdpmUNet);

}  // namespace egsde
