// The part that UNetModel, DSE_inference and DSE_train (official guided_diffusion/unet.py)
// build identically: time_embed, the downsampling input_blocks and the middle_block.
#pragma once
#include <torch/torch.h>

#include <vector>

#include "models/adm_blocks.h"

namespace egsde::adm {

struct TrunkOptions {
  int64_t in_channels = 3;
  int64_t model_channels = 128;
  int64_t num_res_blocks = 2;
  std::vector<int64_t> attention_ds;  // downsampling rates with attention
  double dropout = 0.0;
  std::vector<double> channel_mult{1, 2, 4, 8};
  bool conv_resample = true;
  int64_t num_heads = 1;
  int64_t num_head_channels = -1;
  bool use_scale_shift_norm = false;
  bool resblock_updown = false;
  bool use_new_attention_order = false;
};

// Built, not registered: the owner registers time_embed, input_blocks and middle_block
// under those names.
struct Trunk {
  explicit Trunk(const TrunkOptions& options);

  // time_embed(timestep_embedding(timesteps, model_channels)); a 0-d timestep is broadcast
  // to `batch`.
  torch::Tensor embed(const torch::Tensor& timesteps, int64_t batch);

  TrunkOptions options;
  torch::nn::Sequential time_embed{nullptr};
  torch::nn::ModuleList input_blocks{nullptr};
  std::vector<TimestepEmbedSequential> inputs;  // the same modules as input_blocks, typed
  TimestepEmbedSequential middle_block{nullptr};
  std::vector<int64_t> input_block_chans;  // channels after each input block
  int64_t channels = 0;                    // channels after the middle block
  int64_t ds = 1;                          // downsampling rate at the middle block
};

// The ResBlock every level of the trunk and of UNetModel's output_blocks builds: `in` → `out`
// channels, conditioned on the 4·model_channels time embedding (unet.py ResBlock(ch, time_embed_dim,
// dropout, out_channels=…, use_scale_shift_norm=…)); the caller sets up/down.
inline ResBlockOptions level_res_block(const TrunkOptions& o, int64_t in, int64_t out) {
  ResBlockOptions r;
  r.channels = in;
  r.emb_channels = o.model_channels * 4;
  r.dropout = o.dropout;
  r.out_channels = out;
  r.use_scale_shift_norm = o.use_scale_shift_norm;
  return r;
}

// int(mult * model_channels), as the official constructors compute level widths.
inline int64_t level_channels(double mult, int64_t model_channels) {
  return static_cast<int64_t>(mult * static_cast<double>(model_channels));
}

}  // namespace egsde::adm
