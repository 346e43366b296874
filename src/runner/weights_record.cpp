#include "runner/weights_record.h"

#include <cstddef>
#include <system_error>

#include "core/digest.h"
#include "core/error.h"
#include "core/json_io.h"
#include "runner/preflight.h"
#include "translate/method_sampler.h"

namespace egsde::runner {
namespace fs = std::filesystem;
using nlohmann::json;

json weights_digests(const Run& run, std::map<std::string, std::string>& cache) {
  const ProfileArgs& a = run.resolved.args;
  json out = json::object();
  const auto add = [&](const char* name, const fs::path& file) {
    const std::string key = file.string();
    std::error_code ec;
    if (!cache.count(key)) cache[key] = fs::is_regular_file(file, ec) ? file_digest(file) : "";
    // "" -> null: no file to digest (a test's stand-in translator; a real run's preflight refuses it)
    out[name] = {{"path", key}, {"digest", cache[key].empty() ? json(nullptr) : json(cache[key])}};
  };
  add("ckpt", a.ckpt);
  if (needs_dse(sampler_method(run.method), a)) add("dsepath", a.dsepath);
  return out;
}

void check_or_record_weights(const RecordStore& store, const Run& run, const json& digests) {
  const fs::path file = store.run_dir(run.id) / "weights.json";
  std::error_code ec;
  std::size_t finished = 0;  // item markers of every shard
  for (const auto& e : fs::directory_iterator(store.run_dir(run.id) / "items", ec))
    if (e.path().extension() == ".json") ++finished;
  if (finished > 0 && fs::exists(file, ec)) {
    const json old = read_json_file(file);
    for (const auto& [name, now] : digests.items()) {
      if (!old.contains(name) || !old[name].is_object()) continue;
      const json was = old[name].contains("digest") ? old[name]["digest"] : json();
      if (!was.is_string() || !now["digest"].is_string() || was == now["digest"]) continue;
      const std::string then = was.get<std::string>();
      throw Error("run " + run.id + " (" + run.label + "): its " + std::to_string(finished) +
                  " finished images were translated with other weights: args." + name + " " +
                  now["path"].get<std::string>() + " has digest " + now["digest"].get<std::string>() + ", " +
                  file.string() + " records " + then + " (retrained since?); --output a new directory (or move " +
                  store.run_dir(run.id).string() + " away) to translate with the new weights");
    }
  }
  write_json_file(file, digests);
}

}  // namespace egsde::runner
