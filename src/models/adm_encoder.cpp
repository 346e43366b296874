#include "models/adm_encoder.h"

#include "core/error.h"
#include "models/adm_config.h"

namespace egsde {

namespace nn = torch::nn;

DsePhase parse_dse_phase(const std::string& phase) {
  if (phase == "test") return DsePhase::Test;
  if (phase == "train") return DsePhase::Train;
  throw Error("DSE phase '" + phase + "' is not 'test' or 'train'");
}

std::string to_string(DsePhase phase) { return phase == DsePhase::Test ? "test" : "train"; }

AdmDseConfig AdmDseConfig::from_json(const nlohmann::json& j) {
  AdmDseConfig c;
  std::string phase = to_string(c.phase);
  const std::vector<adm::JsonField> fields = {
      adm::int_field("image_size", c.image_size),
      adm::int_field("num_class", c.num_class),
      adm::bool_field("classifier_use_fp16", c.classifier_use_fp16),
      adm::int_field("classifier_width", c.classifier_width),
      adm::int_field("classifier_depth", c.classifier_depth),
      adm::string_field("classifier_attention_resolutions", c.classifier_attention_resolutions),
      adm::bool_field("classifier_use_scale_shift_norm", c.classifier_use_scale_shift_norm),
      adm::bool_field("classifier_resblock_updown", c.classifier_resblock_updown),
      adm::string_field("classifier_pool", c.classifier_pool),
      adm::string_field("classifier_channel_mult", c.classifier_channel_mult),
      adm::string_field("phase", phase),
  };
  adm::read_json_fields(j, "DSE config", fields);
  c.phase = parse_dse_phase(phase);
  c.validate();
  return c;
}

nlohmann::json AdmDseConfig::to_json() const {
  nlohmann::json j = {{"image_size", image_size},
          {"num_class", num_class},
          {"classifier_use_fp16", classifier_use_fp16},
          {"classifier_width", classifier_width},
          {"classifier_depth", classifier_depth},
          {"classifier_attention_resolutions", classifier_attention_resolutions},
          {"classifier_use_scale_shift_norm", classifier_use_scale_shift_norm},
          {"classifier_resblock_updown", classifier_resblock_updown},
          {"classifier_pool", classifier_pool},
          {"phase", to_string(phase)}};
  if (!classifier_channel_mult.empty()) j["classifier_channel_mult"] = classifier_channel_mult;
  return j;
}

std::vector<int64_t> AdmDseConfig::attention_ds() const {
  return adm::parse_attention_ds(classifier_attention_resolutions, image_size);
}

void AdmDseConfig::validate() const {
  if (classifier_use_fp16) {
    throw Error("DSE config: classifier_use_fp16 = true is not supported (egsde runs the "
                "networks in float32); set classifier_use_fp16 to false");
  }
  if (classifier_pool != "attention" && classifier_pool != "adaptive") {
    throw Error("DSE config: classifier_pool '" + classifier_pool +
                "' is not 'attention' or 'adaptive'");
  }
  if (num_class <= 0 || classifier_width <= 0 || classifier_depth < 0) {
    throw Error("DSE config: num_class and classifier_width must be positive and "
                "classifier_depth non-negative");
  }
  channel_mult_values();
  attention_ds();
}

std::vector<double> AdmDseConfig::channel_mult_values() const {
  return adm::parse_channel_mult(classifier_channel_mult, image_size);
}

namespace {

// create_dse's fixed choice: 64 channels per attention head.
constexpr int64_t kDseHeadChannels = 64;

adm::TrunkOptions trunk_options(const AdmDseConfig& c) {
  c.validate();
  adm::TrunkOptions o;
  o.in_channels = 3;
  o.model_channels = c.classifier_width;
  o.num_res_blocks = c.classifier_depth;
  o.attention_ds = c.attention_ds();
  o.channel_mult = c.channel_mult_values();
  o.num_heads = 1;
  o.num_head_channels = kDseHeadChannels;
  o.use_scale_shift_norm = c.classifier_use_scale_shift_norm;
  o.resblock_updown = c.classifier_resblock_updown;
  return o;
}

}  // namespace

AdmDseImpl::AdmDseImpl(const AdmDseConfig& config)
    : config_(config), trunk_(trunk_options(config)) {
  // DSE_inference.__init__ == DSE_train.__init__
  register_module("time_embed", trunk_.time_embed);
  register_module("input_blocks", trunk_.input_blocks);
  register_module("middle_block", trunk_.middle_block);
  const int64_t ch = trunk_.channels;
  if (config.classifier_pool == "adaptive") {
    i2i_out_ = nn::Sequential(
        adm::GroupNorm32(ch), nn::SiLU(), nn::AdaptiveAvgPool2d(nn::AdaptiveAvgPool2dOptions({1, 1})),
        nn::Conv2d(nn::Conv2dOptions(ch, config.num_class, 1)), nn::Flatten());
  } else {
    i2i_out_ = nn::Sequential(
        adm::GroupNorm32(ch), nn::SiLU(),
        adm::AttentionPool2d(config.image_size / trunk_.ds, ch, kDseHeadChannels,
                             config.num_class));
  }
  register_module("I2Iout", i2i_out_);
}

torch::Tensor AdmDseImpl::features(const torch::Tensor& x, const torch::Tensor& timesteps) {
  // DSE_inference.forward
  const auto emb = trunk_.embed(timesteps, x.size(0));
  auto h = x;
  for (auto& block : trunk_.inputs) h = block->forward(h, emb);
  return trunk_.middle_block->forward(h, emb);
}

torch::Tensor AdmDseImpl::logits(const torch::Tensor& x, const torch::Tensor& timesteps) {
  // DSE_train.forward
  return i2i_out_->forward(features(x, timesteps));
}

torch::Tensor AdmDseImpl::forward(const torch::Tensor& x, const torch::Tensor& timesteps) {
  return config_.phase == DsePhase::Test ? features(x, timesteps) : logits(x, timesteps);
}

}  // namespace egsde
