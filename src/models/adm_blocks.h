// Building blocks of the ADM ("guided diffusion") networks, as in the official
// guided_diffusion/nn.py and unet.py. Registered names equal the official state-dict keys:
// parameter-free layers (SiLU, Dropout, Identity, pooling) still take their index inside a
// Sequential so that the numbering matches. float32 only.
#pragma once
#include <torch/torch.h>

#include <functional>
#include <string>
#include <vector>

#include "models/conv.h"

namespace egsde::adm {

// nn.py timestep_embedding: [N] (possibly fractional) timesteps -> [N, dim] sinusoids,
// cos half first, then sin (zero-padded for odd dim).
torch::Tensor timestep_embedding(const torch::Tensor& timesteps, int64_t dim,
                                 double max_period = 10000.0);

// nn.py GroupNorm32 / normalization(): GroupNorm(32, channels) computed in float32.
class GroupNorm32Impl : public torch::nn::GroupNormImpl {
 public:
  explicit GroupNorm32Impl(int64_t channels)
      : torch::nn::GroupNormImpl(torch::nn::GroupNormOptions(32, channels)) {}
  torch::Tensor forward(const torch::Tensor& x);
};
TORCH_MODULE(GroupNorm32);

// unet.py Upsample: nearest x2, then an optional 3x3 conv registered as "conv".
class UpsampleImpl : public torch::nn::Module {
 public:
  UpsampleImpl(int64_t channels, bool use_conv, int64_t out_channels = 0);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  int64_t channels_;
  Conv conv_{nullptr};
};
TORCH_MODULE(Upsample);

// unet.py Downsample: a stride-2 3x3 conv registered as "op", or 2x2 average pooling.
class DownsampleImpl : public torch::nn::Module {
 public:
  DownsampleImpl(int64_t channels, bool use_conv, int64_t out_channels = 0);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  int64_t channels_;
  torch::nn::Conv2d op_{nullptr};
};
TORCH_MODULE(Downsample);

struct ResBlockOptions {
  int64_t channels = 0;
  int64_t emb_channels = 0;
  double dropout = 0.0;
  int64_t out_channels = 0;  // 0: same as channels
  bool use_conv = false;     // 3x3 instead of 1x1 skip conv when channels change
  bool use_scale_shift_norm = false;
  bool up = false;
  bool down = false;
};

// unet.py ResBlock: in_layers (norm, SiLU, conv), emb_layers (SiLU, linear), out_layers
// (norm, SiLU, dropout, conv), skip_connection (Identity, 1x1 or 3x3 conv); with up/down the
// resampling (without conv) sits between in_layers' SiLU and conv, and on the skip path.
class ResBlockImpl : public torch::nn::Module {
 public:
  explicit ResBlockImpl(const ResBlockOptions& options);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& emb);

 private:
  torch::Tensor resample(const torch::Tensor& x) const;

  ResBlockOptions options_;
  int64_t out_channels_;
  GroupNorm32 in_norm_{nullptr}, out_norm_{nullptr};
  Conv in_conv_{nullptr}, out_conv_{nullptr}, skip_conv_{nullptr};
  torch::nn::Linear emb_linear_{nullptr};
  torch::nn::Dropout out_dropout_{nullptr};
};
TORCH_MODULE(ResBlock);

// unet.py QKVAttentionLegacy: [N, H*3*C, T] qkv (heads split first) -> [N, H*C, T].
torch::Tensor qkv_attention_legacy(const torch::Tensor& qkv, int64_t n_heads);

// unet.py QKVAttention ("new order"): [N, 3*H*C, T] qkv (q, k, v split first) -> [N, H*C, T].
torch::Tensor qkv_attention(const torch::Tensor& qkv, int64_t n_heads);

// unet.py AttentionBlock: x + proj_out(attention(qkv(norm(x)))) over flattened positions.
// num_head_channels != -1 overrides num_heads (channels / num_head_channels heads).
class AttentionBlockImpl : public torch::nn::Module {
 public:
  AttentionBlockImpl(int64_t channels, int64_t num_heads, int64_t num_head_channels,
                     bool use_new_attention_order);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  int64_t num_heads_;
  bool new_order_;
  GroupNorm32 norm_{nullptr};
  torch::nn::Conv1d qkv_{nullptr}, proj_out_{nullptr};
};
TORCH_MODULE(AttentionBlock);

// unet.py AttentionPool2d (from CLIP): attention of the mean token over all positions;
// parameters positional_embedding [C, S*S+1], qkv_proj, c_proj (1x1 Conv1d). Returns [N, out].
class AttentionPool2dImpl : public torch::nn::Module {
 public:
  AttentionPool2dImpl(int64_t spacial_dim, int64_t embed_dim, int64_t num_heads_channels,
                      int64_t output_dim = 0);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  int64_t num_heads_;
  torch::Tensor positional_embedding_;
  torch::nn::Conv1d qkv_proj_{nullptr}, c_proj_{nullptr};
};
TORCH_MODULE(AttentionPool2d);

// unet.py TimestepEmbedSequential: children named "0", "1", ...; ResBlocks get the
// embedding, every other child only x.
class TimestepEmbedSequentialImpl : public torch::nn::Module {
 public:
  TimestepEmbedSequentialImpl() = default;
  void push_back(ResBlock block);
  template <typename ModuleHolder>
  void push_back(ModuleHolder module) {
    auto m = register_module(std::to_string(layers_.size()), module);
    layers_.push_back([m](const torch::Tensor& x, const torch::Tensor&) { return m->forward(x); });
  }
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& emb);

 private:
  std::vector<std::function<torch::Tensor(const torch::Tensor&, const torch::Tensor&)>> layers_;
};
TORCH_MODULE(TimestepEmbedSequential);

}  // namespace egsde::adm
