#include "models/adm_config.h"

#include <algorithm>
#include <cctype>

#include "core/error.h"
#include "core/suggest.h"

namespace egsde::adm {

namespace {

std::string trim(const std::string& s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const auto comma = s.find(',', start);
    parts.push_back(trim(s.substr(start, comma - start)));
    if (comma == std::string::npos) return parts;
    start = comma + 1;
  }
}

// Python int() of a decimal string (surrounding blanks allowed), or an Error.
int64_t parse_int(const std::string& text, const std::string& what) {
  const std::string t = trim(text);
  std::size_t i = (!t.empty() && (t[0] == '-' || t[0] == '+')) ? 1 : 0;
  const bool digits = i < t.size() && std::all_of(t.begin() + i, t.end(), [](unsigned char c) {
                        return std::isdigit(c);
                      });
  if (!digits || t.size() > 18) throw Error(what + ": '" + text + "' is not an integer");
  return std::stoll(t);
}

}  // namespace

std::vector<double> channel_mult_for_image_size(int64_t image_size) {
  switch (image_size) {
    case 512: return {0.5, 1, 1, 2, 2, 4, 4};
    case 256: return {1, 1, 2, 2, 4, 4};
    case 128: return {1, 1, 2, 3, 4};
    case 64: return {1, 2, 3, 4};
    default:
      throw Error("unsupported image size: " + std::to_string(image_size) +
                  " (channel multipliers are defined for 64, 128, 256, 512; give channel_mult)");
  }
}

std::vector<double> parse_channel_mult(const std::string& channel_mult, int64_t image_size) {
  if (channel_mult.empty()) return channel_mult_for_image_size(image_size);
  std::vector<double> mult;
  for (const auto& part : split_commas(channel_mult)) {
    const int64_t m = parse_int(part, "channel_mult '" + channel_mult + "'");
    if (m <= 0) throw Error("channel_mult '" + channel_mult + "': multipliers must be positive");
    mult.push_back(static_cast<double>(m));
  }
  return mult;
}

std::vector<int64_t> parse_attention_ds(const std::string& attention_resolutions,
                                        int64_t image_size) {
  std::vector<int64_t> ds;
  for (const auto& part : split_commas(attention_resolutions)) {
    const int64_t res =
        parse_int(part, "attention resolutions '" + attention_resolutions + "'");
    if (res <= 0) {
      throw Error("attention resolutions '" + attention_resolutions +
                  "': resolutions must be positive");
    }
    ds.push_back(image_size / res);  // image_size // int(res)
  }
  return ds;
}

JsonField int_field(const std::string& name, int64_t& dst) {
  return {name, "an integer", [&dst](const nlohmann::json& v) {
            if (!v.is_number_integer()) throw std::invalid_argument("type");
            dst = v.get<int64_t>();
          }};
}

JsonField bool_field(const std::string& name, bool& dst) {
  return {name, "a boolean", [&dst](const nlohmann::json& v) {
            if (v.is_boolean()) {
              dst = v.get<bool>();
              return;
            }
            // script_util.str2bool spellings, as the official command lines accept them.
            if (v.is_string()) {
              std::string s = v.get<std::string>();
              std::transform(s.begin(), s.end(), s.begin(),
                             [](unsigned char c) { return std::tolower(c); });
              if (s == "yes" || s == "true" || s == "t" || s == "y" || s == "1") {
                dst = true;
                return;
              }
              if (s == "no" || s == "false" || s == "f" || s == "n" || s == "0") {
                dst = false;
                return;
              }
            }
            throw std::invalid_argument("type");
          }};
}

JsonField number_field(const std::string& name, double& dst) {
  return {name, "a number", [&dst](const nlohmann::json& v) {
            if (!v.is_number()) throw std::invalid_argument("type");
            dst = v.get<double>();
          }};
}

JsonField string_field(const std::string& name, std::string& dst) {
  return {name, "a string", [&dst](const nlohmann::json& v) {
            if (v.is_string()) {
              dst = v.get<std::string>();
            } else if (v.is_number_integer()) {
              dst = std::to_string(v.get<int64_t>());
            } else {
              throw std::invalid_argument("type");
            }
          }};
}

void read_json_fields(const nlohmann::json& j, const std::string& what,
                      const std::vector<JsonField>& fields,
                      const std::vector<std::string>& ignored) {
  if (!j.is_object()) throw Error(what + ": expected an object, got " + j.dump());
  std::vector<std::string> names;
  for (const auto& f : fields) names.push_back(f.name);
  for (const auto& [key, value] : j.items()) {
    const auto field = std::find_if(fields.begin(), fields.end(),
                                    [&key = key](const JsonField& f) { return f.name == key; });
    if (field == fields.end()) {
      if (std::find(ignored.begin(), ignored.end(), key) != ignored.end()) continue;
      throw Error(what + ": unknown key '" + key + "'; did you mean '" + nearest(key, names) +
                  "'?");
    }
    try {
      field->set(value);
    } catch (const std::invalid_argument&) {
      throw Error(what + ": key '" + key + "' must be " + field->type + ", got " +
                  value.dump());
    }
  }
}

}  // namespace egsde::adm
