#include "models/adm_unet.h"

#include <algorithm>

#include "core/error.h"
#include "models/adm_config.h"

namespace egsde {

namespace nn = torch::nn;
using adm::JsonField;

AdmUNetConfig AdmUNetConfig::from_json(const nlohmann::json& j) {
  AdmUNetConfig c;
  const std::vector<JsonField> fields = {
      adm::int_field("image_size", c.image_size),
      adm::int_field("num_class", c.num_class),
      adm::int_field("num_channels", c.num_channels),
      adm::int_field("num_res_blocks", c.num_res_blocks),
      adm::string_field("channel_mult", c.channel_mult),
      adm::bool_field("learn_sigma", c.learn_sigma),
      adm::bool_field("class_cond", c.class_cond),
      adm::bool_field("use_checkpoint", c.use_checkpoint),
      adm::string_field("attention_resolutions", c.attention_resolutions),
      adm::int_field("num_heads", c.num_heads),
      adm::int_field("num_head_channels", c.num_head_channels),
      adm::int_field("num_heads_upsample", c.num_heads_upsample),
      adm::bool_field("use_scale_shift_norm", c.use_scale_shift_norm),
      adm::number_field("dropout", c.dropout),
      adm::bool_field("resblock_updown", c.resblock_updown),
      adm::bool_field("use_fp16", c.use_fp16),
      adm::bool_field("use_new_attention_order", c.use_new_attention_order),
  };
  // Keys of the official profiles' model sections that create_model does not take.
  const std::vector<std::string> profile_extras = {"type", "in_channels", "out_ch", "var_type"};
  adm::read_json_fields(j, "ADM model config", fields, profile_extras);
  c.validate();
  return c;
}

nlohmann::json AdmUNetConfig::to_json() const {
  return {{"image_size", image_size},
          {"num_class", num_class},
          {"num_channels", num_channels},
          {"num_res_blocks", num_res_blocks},
          {"channel_mult", channel_mult},
          {"learn_sigma", learn_sigma},
          {"class_cond", class_cond},
          {"use_checkpoint", use_checkpoint},
          {"attention_resolutions", attention_resolutions},
          {"num_heads", num_heads},
          {"num_head_channels", num_head_channels},
          {"num_heads_upsample", num_heads_upsample},
          {"use_scale_shift_norm", use_scale_shift_norm},
          {"dropout", dropout},
          {"resblock_updown", resblock_updown},
          {"use_fp16", use_fp16},
          {"use_new_attention_order", use_new_attention_order}};
}

std::vector<double> AdmUNetConfig::channel_mult_values() const {
  return adm::parse_channel_mult(channel_mult, image_size);
}

std::vector<int64_t> AdmUNetConfig::attention_ds() const {
  return adm::parse_attention_ds(attention_resolutions, image_size);
}

void AdmUNetConfig::validate() const {
  if (use_fp16) {
    throw Error("ADM model config: use_fp16 = true is not supported (egsde runs the networks "
                "in float32; fp16 checkpoints load as float32); set use_fp16 to false");
  }
  if (image_size <= 0 || num_channels <= 0 || num_res_blocks < 0) {
    throw Error("ADM model config: image_size and num_channels must be positive and "
                "num_res_blocks non-negative");
  }
  if (class_cond && num_class <= 0) {
    throw Error("ADM model config: class_cond needs num_class > 0");
  }
  channel_mult_values();
  attention_ds();
}

namespace {

adm::TrunkOptions trunk_options(const AdmUNetConfig& c) {
  c.validate();
  adm::TrunkOptions o;
  o.in_channels = 3;
  o.model_channels = c.num_channels;
  o.num_res_blocks = c.num_res_blocks;
  o.attention_ds = c.attention_ds();
  o.dropout = c.dropout;
  o.channel_mult = c.channel_mult_values();
  o.num_heads = c.num_heads;
  o.num_head_channels = c.num_head_channels;
  o.use_scale_shift_norm = c.use_scale_shift_norm;
  o.resblock_updown = c.resblock_updown;
  o.use_new_attention_order = c.use_new_attention_order;
  return o;
}

}  // namespace

AdmUNetImpl::AdmUNetImpl(const AdmUNetConfig& config)
    : config_(config), trunk_(trunk_options(config)) {
  // UNetModel.__init__
  const auto& o = trunk_.options;
  const int64_t mc = o.model_channels;
  const int64_t time_embed_dim = mc * 4;
  const int64_t num_heads_upsample =
      config.num_heads_upsample == -1 ? config.num_heads : config.num_heads_upsample;

  register_module("time_embed", trunk_.time_embed);
  if (config.class_cond) {
    label_emb_ = register_module("label_emb", nn::Embedding(config.num_class, time_embed_dim));
  }
  register_module("input_blocks", trunk_.input_blocks);
  register_module("middle_block", trunk_.middle_block);

  const auto res_block = [&](int64_t in, int64_t out, bool up) {
    adm::ResBlockOptions r = adm::level_res_block(o, in, out);
    r.up = up;
    return adm::ResBlock(r);
  };

  output_blocks_ = nn::ModuleList();
  auto chans = trunk_.input_block_chans;
  int64_t ch = trunk_.channels;
  int64_t ds = trunk_.ds;
  for (std::size_t level = o.channel_mult.size(); level-- > 0;) {
    for (int64_t i = 0; i <= o.num_res_blocks; ++i) {
      const int64_t ich = chans.back();
      chans.pop_back();
      adm::TimestepEmbedSequential block;
      const int64_t out = adm::level_channels(o.channel_mult[level], mc);
      block->push_back(res_block(ch + ich, out, false));
      ch = out;
      if (std::find(o.attention_ds.begin(), o.attention_ds.end(), ds) != o.attention_ds.end()) {
        block->push_back(adm::AttentionBlock(ch, num_heads_upsample, o.num_head_channels,
                                             o.use_new_attention_order));
      }
      if (level > 0 && i == o.num_res_blocks) {
        if (o.resblock_updown) {
          block->push_back(res_block(ch, ch, true));
        } else {
          block->push_back(adm::Upsample(ch, o.conv_resample, ch));
        }
        ds /= 2;
      }
      output_blocks_->push_back(block);
      outputs_.push_back(block);
    }
  }
  register_module("output_blocks", output_blocks_);

  const int64_t input_ch = adm::level_channels(o.channel_mult[0], mc);
  out_ = register_module(
      "out", nn::Sequential(adm::GroupNorm32(ch), nn::SiLU(),
                            Conv(nn::Conv2dOptions(input_ch, config.out_channels(), 3)
                                           .padding(1))));
}

torch::Tensor AdmUNetImpl::forward(const torch::Tensor& x, const torch::Tensor& timesteps,
                                   const torch::Tensor& y) {
  // UNetModel.forward
  if (y.defined() != config_.class_cond) {
    throw Error(config_.class_cond ? "ADM UNet: class-conditional model needs labels y"
                                   : "ADM UNet: labels y given to an unconditional model");
  }
  auto emb = trunk_.embed(timesteps, x.size(0));
  if (label_emb_) {
    TORCH_CHECK(y.dim() == 1 && y.size(0) == x.size(0), "ADM UNet: y must be [N]");
    emb = emb + label_emb_->forward(y);
  }
  std::vector<torch::Tensor> hs;
  auto h = x;
  for (auto& block : trunk_.inputs) {
    h = block->forward(h, emb);
    hs.push_back(h);
  }
  h = trunk_.middle_block->forward(h, emb);
  for (auto& block : outputs_) {
    h = torch::cat({h, hs.back()}, 1);
    hs.pop_back();
    h = block->forward(h, emb);
  }
  return out_->forward(h);
}

}  // namespace egsde
