// What a checkpoint/config mismatch error suggests: the settings to change so that the config
// builds the checkpoint's network (inferred from its shapes, models/config_inference.h), spelled
// as the keys sit in the user's file ("config.model.num_res_blocks = 2" in an egsde profile,
// "model.…" in an official yml as JSON, "num_res_blocks" in a bare create_model dict).
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/checkpoint.h"
#include "models/network.h"

namespace egsde {

// Detail lines for the error (core/checkpoint.h MismatchContext): findings, "to match the
// checkpoint, set …" with only the settings whose value differs from `config`'s, and what the
// shapes cannot tell. `config` as load_network takes it; `kind` not Inception.
std::vector<std::string> mismatch_hints(NetworkKind kind, const nlohmann::json& config, const StateDict& checkpoint);

// "the ADM UNet built from profile P.json": the network in the error's first line.
std::string mismatch_network_name(NetworkKind kind, const std::string& config_source);

}  // namespace egsde
