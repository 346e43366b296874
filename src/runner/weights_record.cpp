#include "runner/weights_record.h"

#include <cstddef>
#include <system_error>

#include "core/error.h"
#include "core/json_io.h"
#include "runner/preflight.h"
#include "translate/weights_digest.h"

namespace egsde::runner {
namespace fs = std::filesystem;
using nlohmann::json;

json weights_digests(const Run& run, std::map<std::string, std::string>& cache) {
  return egsde::weights_digests(run.resolved.args, sampler_method(run.method), &cache);
}

void check_or_record_weights(const RecordStore& store, const Run& run, const json& digests) {
  const fs::path file = store.run_dir(run.id) / "weights.json";
  std::error_code ec;
  std::size_t finished = 0;  // item markers of every shard
  for (const auto& e : fs::directory_iterator(store.run_dir(run.id) / "items", ec))
    if (e.path().extension() == ".json") ++finished;
  if (finished > 0 && fs::exists(file, ec))
    if (const std::string change = weights_change(read_json_file(file), digests, file.string()); !change.empty())
      throw Error("run " + run.id + " (" + run.label + "): its " + std::to_string(finished) +
                  " finished images were translated with other weights: " + change +
                  " (retrained since?); --output a new directory (or move " + store.run_dir(run.id).string() +
                  " away) to translate with the new weights");
  write_json_file(file, digests);
}

}  // namespace egsde::runner
