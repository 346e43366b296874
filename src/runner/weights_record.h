// OUT/<run_id>/weights.json: the FNV-1a digests of the weight files a run's images are translated
// with (args.ckpt, and args.dsepath where the method uses the DSE: λs or λc not 0). Run ids hash
// the config, not the files' contents, so a table can be made where the weights are absent; this
// record is what keeps --resume from finishing a run with other weights than its finished items
// were made with (a DSE or score model retrained under the same path).
#pragma once
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "runner/expand.h"
#include "runner/records.h"

namespace egsde::runner {

// translate/weights_digest.h's record for the run's profile and method; `cache` maps a file to
// its digest so that runs sharing a checkpoint read it once.
nlohmann::json weights_digests(const Run& run, std::map<std::string, std::string>& cache);

// Before a run's items are translated: when its folder holds finished items (of any shard) and
// a weights.json that records other digests, throws egsde::Error (one line: the run, the file,
// both digests, what to do); otherwise writes `digests` as the run's weights.json (atomically).
// A run without weights.json (egsde before it) is trusted and gets one.
void check_or_record_weights(const RecordStore& store, const Run& run, const nlohmann::json& digests);

}  // namespace egsde::runner
