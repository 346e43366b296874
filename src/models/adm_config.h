// Pieces shared by the ADM configs (AdmUNetConfig, AdmDseConfig): how script_util.py turns
// its string arguments into architecture values, and strict JSON reading of official keys.
#pragma once
#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace egsde::adm {

// create_model / create_dse: the channel multipliers chosen by image size
// (512, 256, 128, 64); other sizes are an Error.
std::vector<double> channel_mult_for_image_size(int64_t image_size);

// create_model: "" -> by image size, else "1,1,2,2" -> {1, 1, 2, 2} (integers, as int()).
std::vector<double> parse_channel_mult(const std::string& channel_mult, int64_t image_size);

// create_model / create_dse: "32,16,8" -> {image_size / 32, image_size / 16, image_size / 8},
// the downsampling rates at which attention is used.
std::vector<int64_t> parse_attention_ds(const std::string& attention_resolutions,
                                        int64_t image_size);

// One accepted key: its name, the type named in errors, and how to store a value.
struct JsonField {
  std::string name;
  std::string type;  // "an integer", "a boolean", "a number", "a string"
  std::function<void(const nlohmann::json&)> set;
};
JsonField int_field(const std::string& name, int64_t& dst);
JsonField bool_field(const std::string& name, bool& dst);
JsonField number_field(const std::string& name, double& dst);
// Accepts a string, or a bare integer (YAML `attention_resolutions: 16`) as its decimal text.
JsonField string_field(const std::string& name, std::string& dst);

// Applies `fields` to the keys of object `j`. Keys in `ignored` are accepted silently (keys of
// the official profiles that the network does not use); any other key is an Error naming the
// nearest valid key; a value of the wrong type is an Error naming the key. `what` names the
// config in messages ("ADM model config").
void read_json_fields(const nlohmann::json& j, const std::string& what,
                      const std::vector<JsonField>& fields,
                      const std::vector<std::string>& ignored = {});

}  // namespace egsde::adm
