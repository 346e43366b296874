// DdpmConfig::from_json: the official yml structure (model / data / diffusion sections) as
// models/ddpm.py Model reads it, with strict key checks on the `model:` section.
#include "core/error.h"
#include "models/adm_config.h"
#include "models/ddpm_unet.h"

namespace egsde {

namespace {

// A YAML list of integers (`ch_mult: [1, 1, 2]`, `attn_resolutions: [16, ]`).
adm::JsonField int_list_field(const std::string& name, std::vector<int64_t>& dst) {
  return {name, "a list of integers", [&dst](const nlohmann::json& v) {
            if (!v.is_array()) throw std::invalid_argument("type");
            std::vector<int64_t> values;
            for (const auto& e : v) {
              if (!e.is_number_integer()) throw std::invalid_argument("type");
              values.push_back(e.get<int64_t>());
            }
            dst = std::move(values);
          }};
}

const nlohmann::json& section(const nlohmann::json& whole, const std::string& name) {
  if (!whole.is_object() || !whole.contains(name) || !whole.at(name).is_object()) {
    throw Error("DDPM config: expected the official yml structure with a '" + name +
                "' section (an object); got " + (whole.is_object() ? "keys without it" : whole.dump()));
  }
  return whole.at(name);
}

}  // namespace

DdpmConfig DdpmConfig::from_json(const nlohmann::json& whole_config) {
  DdpmConfig c;
  adm::read_json_fields(section(whole_config, "model"), "DDPM model config",
                        {adm::string_field("type", c.type),
                         adm::int_field("in_channels", c.in_channels),
                         adm::int_field("out_ch", c.out_ch), adm::int_field("ch", c.ch),
                         int_list_field("ch_mult", c.ch_mult),
                         adm::int_field("num_res_blocks", c.num_res_blocks),
                         int_list_field("attn_resolutions", c.attn_resolutions),
                         adm::number_field("dropout", c.dropout),
                         adm::string_field("var_type", c.var_type),
                         adm::number_field("ema_rate", c.ema_rate),
                         adm::bool_field("ema", c.ema),
                         adm::bool_field("resamp_with_conv", c.resamp_with_conv)});

  const auto& data = section(whole_config, "data");
  if (!data.contains("image_size") || !data.at("image_size").is_number_integer()) {
    throw Error("DDPM config: data.image_size must be an integer");
  }
  c.image_size = data.at("image_size").get<int64_t>();

  if (whole_config.contains("diffusion")) {
    const auto& diffusion = section(whole_config, "diffusion");
    if (diffusion.contains("num_diffusion_timesteps")) {
      const auto& n = diffusion.at("num_diffusion_timesteps");
      if (!n.is_number_integer()) {
        throw Error("DDPM config: diffusion.num_diffusion_timesteps must be an integer");
      }
      c.num_diffusion_timesteps = n.get<int64_t>();
    }
  }
  return c;
}

nlohmann::json DdpmConfig::to_json() const {
  return {{"model",
           {{"type", type},
            {"in_channels", in_channels},
            {"out_ch", out_ch},
            {"ch", ch},
            {"ch_mult", ch_mult},
            {"num_res_blocks", num_res_blocks},
            {"attn_resolutions", attn_resolutions},
            {"dropout", dropout},
            {"var_type", var_type},
            {"ema_rate", ema_rate},
            {"ema", ema},
            {"resamp_with_conv", resamp_with_conv}}},
          {"data", {{"image_size", image_size}}},
          {"diffusion", {{"num_diffusion_timesteps", num_diffusion_timesteps}}}};
}

}  // namespace egsde
