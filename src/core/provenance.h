// What produced a result: egsde and library versions, threads, host. Goes into every record.
#pragma once
#include <nlohmann/json.hpp>

namespace egsde {

nlohmann::json provenance();

}  // namespace egsde
