#include "models/mismatch_hint.h"

#include <algorithm>
#include <set>

#include "core/error.h"
#include "models/adm_config.h"
#include "models/adm_encoder.h"
#include "models/adm_unet.h"
#include "models/config_inference.h"
#include "models/ddpm_unet.h"

namespace egsde {
namespace {

// Where the sections sit in the file the user wrote.
enum class Layout { EgsdeProfile, Yml, Bare };

Layout layout_of(NetworkKind kind, const nlohmann::json& config) {
  if (config.is_object() && config.contains("args") && config.contains("config") && config["config"].is_object())
    return Layout::EgsdeProfile;
  if (kind == NetworkKind::DdpmUNet || (config.is_object() && config.contains("model") && config["model"].is_object()))
    return Layout::Yml;
  return Layout::Bare;  // a create_model / create_dse dict: image_size is one of its keys
}

std::string key_path(Layout layout, const std::string& section, const std::string& key) {
  switch (layout) {
    case Layout::EgsdeProfile: return "config." + section + "." + key;
    case Layout::Yml: return section + "." + key;
    case Layout::Bare: break;
  }
  return key;
}

// The config's values with the defaults filled in, as {section: {key: value}}.
nlohmann::json effective(NetworkKind kind, const nlohmann::json& config) {
  const nlohmann::json section = config_section(kind, config);
  nlohmann::json flat;
  std::string name = "model";
  switch (kind) {
    case NetworkKind::AdmUNet: flat = AdmUNetConfig::from_json(section).to_json(); break;
    case NetworkKind::AdmDse: flat = AdmDseConfig::from_json(section).to_json(); name = "dse"; break;
    case NetworkKind::DdpmUNet: return DdpmConfig::from_json(section).to_json();
    case NetworkKind::Inception: return nlohmann::json::object();
  }
  nlohmann::json out = {{name, flat}, {"data", {{"image_size", flat["image_size"]}}}};
  if (kind == NetworkKind::AdmDse && !out[name].contains("classifier_channel_mult")) out[name]["classifier_channel_mult"] = "";
  return out;
}

// The downsampling rates that an attention_resolutions text gives at `image_size`, restricted to
// the `levels` a network has (rates no level reaches add no layer).
std::set<int64_t> reached_ds(const std::string& resolutions, int64_t image_size, int64_t levels) {
  std::set<int64_t> out;
  for (const auto ds : adm::parse_attention_ds(resolutions, image_size))
    if (ds >= 1 && ds < (int64_t{1} << levels) && (ds & (ds - 1)) == 0) out.insert(ds);
  return out;
}

std::set<int64_t> reached_res(const nlohmann::json& resolutions, int64_t image_size, int64_t levels) {
  std::set<int64_t> out;
  for (const auto& r : resolutions)
    for (int64_t i = 0; i < levels; ++i)
      if (r.get<int64_t>() == (image_size >> i)) out.insert(r.get<int64_t>());
  return out;
}

// Whether the config's `current` value builds the same layers as the `inferred` one, both read
// at `image_size` (the checkpoint's, when the suggestion changes it): channel multipliers and
// attention levels compare by what they mean ("" is the by-size default; unreached resolutions
// add no layer).
bool same_setting(const std::string& key, const nlohmann::json& inferred, const nlohmann::json& current,
                  int64_t image_size, int64_t levels) {
  try {
    if (key == "channel_mult" || key == "classifier_channel_mult")
      return adm::parse_channel_mult(inferred.get<std::string>(), image_size) ==
             adm::parse_channel_mult(current.get<std::string>(), image_size);
    if (key == "attention_resolutions" || key == "classifier_attention_resolutions")
      return reached_ds(inferred.get<std::string>(), image_size, levels) ==
             reached_ds(current.get<std::string>(), image_size, levels);
    if (key == "attn_resolutions")
      return reached_res(inferred, image_size, levels) == reached_res(current, image_size, levels);
  } catch (const std::exception&) {
    return false;
  }
  return inferred == current;
}

std::string joined(const std::vector<std::string>& xs, const std::string& sep) {
  std::string out;
  for (const auto& x : xs) out += (out.empty() ? "" : sep) + x;
  return out;
}

}  // namespace

std::string mismatch_network_name(NetworkKind kind, const std::string& config_source) {
  const std::string network = kind == NetworkKind::AdmUNet   ? "the ADM UNet"
                              : kind == NetworkKind::AdmDse  ? "the DSE"
                              : kind == NetworkKind::DdpmUNet ? "the DDPM model"
                                                              : "the network";
  if (config_source.empty()) return network;
  return network + " built from " + (config_source.rfind("profile", 0) == 0 ? "" : "config ") + config_source;
}

std::vector<std::string> mismatch_hints(NetworkKind kind, const nlohmann::json& config, const StateDict& checkpoint) {
  if (kind == NetworkKind::Inception) return {};
  nlohmann::json current;
  try {
    current = effective(kind, config);
  } catch (const Error&) {
    return {};  // the network was built from it, so this does not happen
  }
  const int64_t cur_size = current["data"]["image_size"].get<int64_t>();
  const InferredConfig inferred = kind == NetworkKind::AdmUNet ? infer_adm_unet_config(checkpoint, cur_size)
                                  : kind == NetworkKind::AdmDse ? infer_adm_dse_config(checkpoint, cur_size)
                                                                : infer_ddpm_config(checkpoint, cur_size);
  const int64_t inf_size = inferred.settings.contains("data") ? inferred.settings["data"]["image_size"].get<int64_t>() : cur_size;
  const Layout layout = layout_of(kind, config);

  std::vector<std::string> lines = inferred.notes;
  std::vector<std::string> set, same;
  for (const auto& [section, values] : inferred.settings.items()) {
    for (const auto& [key, value] : values.items()) {
      const nlohmann::json& now = current.contains(section) && current[section].contains(key) ? current[section][key]
                                                                                               : nlohmann::json();
      if (same_setting(key, value, now, inf_size, inferred.levels)) {
        same.push_back(key);
      } else {
        set.push_back(key_path(layout, section, key) + " = " + value.dump());
      }
    }
  }
  if (!set.empty()) {
    lines.push_back("to match the checkpoint, set " + joined(set, ", "));
  } else if (!same.empty()) {
    lines.push_back("the settings its shapes determine (" + joined(same, ", ") +
                    ") already have the checkpoint's values here; the checkpoint may come from other code");
  }
  if (!inferred.not_inferable.empty()) {
    lines.push_back("not inferable from the shapes: " + joined(inferred.not_inferable, "; ") +
                    "; keep the values the checkpoint was trained with");
  }
  return lines;
}

}  // namespace egsde
