#include "models/adm_trunk.h"

#include <algorithm>

#include "core/error.h"

namespace egsde::adm {

namespace nn = torch::nn;

Trunk::Trunk(const TrunkOptions& o) : options(o) {
  const int64_t mc = o.model_channels;
  const int64_t time_embed_dim = mc * 4;
  time_embed = nn::Sequential(nn::Linear(mc, time_embed_dim), nn::SiLU(),
                              nn::Linear(time_embed_dim, time_embed_dim));

  const auto has_attention = [&o](int64_t ds) {
    return std::find(o.attention_ds.begin(), o.attention_ds.end(), ds) != o.attention_ds.end();
  };
  const auto res_block = [&](int64_t in, int64_t out, bool down) {
    ResBlockOptions r = level_res_block(o, in, out);
    r.down = down;
    return ResBlock(r);
  };
  const auto attention = [&](int64_t ch) {
    return AttentionBlock(ch, o.num_heads, o.num_head_channels, o.use_new_attention_order);
  };

  if (o.channel_mult.empty()) throw Error("ADM network: channel_mult is empty");
  int64_t ch = level_channels(o.channel_mult[0], mc);
  input_blocks = nn::ModuleList();
  const auto append = [this](TimestepEmbedSequential block) {
    input_blocks->push_back(block);
    inputs.push_back(block);
  };
  {
    TimestepEmbedSequential first;
    first->push_back(Conv(nn::Conv2dOptions(o.in_channels, ch, 3).padding(1)));
    append(first);
  }
  input_block_chans = {ch};
  ds = 1;
  for (std::size_t level = 0; level < o.channel_mult.size(); ++level) {
    for (int64_t i = 0; i < o.num_res_blocks; ++i) {
      TimestepEmbedSequential block;
      const int64_t out = level_channels(o.channel_mult[level], mc);
      block->push_back(res_block(ch, out, false));
      ch = out;
      if (has_attention(ds)) block->push_back(attention(ch));
      append(block);
      input_block_chans.push_back(ch);
    }
    if (level + 1 != o.channel_mult.size()) {
      TimestepEmbedSequential block;
      if (o.resblock_updown) {
        block->push_back(res_block(ch, ch, true));
      } else {
        block->push_back(Downsample(ch, o.conv_resample, ch));
      }
      append(block);
      input_block_chans.push_back(ch);
      ds *= 2;
    }
  }

  middle_block = TimestepEmbedSequential();
  middle_block->push_back(res_block(ch, ch, false));
  middle_block->push_back(attention(ch));
  middle_block->push_back(res_block(ch, ch, false));
  channels = ch;
}

torch::Tensor Trunk::embed(const torch::Tensor& timesteps, int64_t batch) {
  const auto t = timesteps.dim() == 0 ? timesteps.expand({batch}) : timesteps;
  return time_embed->forward(timestep_embedding(t, options.model_channels));
}

}  // namespace egsde::adm
