// The digests of the weight files a translation samples with: args.ckpt, and args.dsepath where
// the method uses the DSE (λs or λc not 0). `egsde translate` keeps them in translate.json and
// `egsde run` in OUT/<run>/weights.json, so that resuming either with weights retrained under
// the same path is refused instead of finishing with other networks than the finished images.
#pragma once
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "translate/method_sampler.h"

namespace egsde {

// {"ckpt": {"path", "digest"}[, "dsepath": {...}]}; digest null where the file does not exist.
// `cache` (optional) maps a file to its digest so that runs sharing a checkpoint read it once.
nlohmann::json weights_digests(const ProfileArgs& args, Method method,
                               std::map<std::string, std::string>* cache = nullptr);

// "" when `recorded` and `now` (both as weights_digests writes them) agree on every network both
// name with a digest; else the first difference: "args.dsepath FILE has digest X, <where>
// records Y".
std::string weights_change(const nlohmann::json& recorded, const nlohmann::json& now, const std::string& where);

}  // namespace egsde
