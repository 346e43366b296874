#include "report/run_records.h"

#include <algorithm>

#include "core/error.h"
#include "core/json_io.h"

namespace egsde::report {
namespace fs = std::filesystem;
using nlohmann::json;

std::vector<fs::path> run_record_files(const fs::path& run_dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  if (!fs::is_directory(run_dir, ec)) return files;
  if (fs::is_regular_file(run_dir / "run.json", ec)) files.push_back(run_dir / "run.json");
  for (const auto& e : fs::directory_iterator(run_dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("run.shard-", 0) == 0 && e.path().extension() == ".json") files.push_back(e.path());
  }
  std::sort(files.begin() + (files.empty() || files[0].filename() != "run.json" ? 0 : 1), files.end());
  return files;
}

std::set<std::string> read_devices(const fs::path& run_dir) {
  std::set<std::string> out;
  for (const auto& file : run_record_files(run_dir)) {
    json j;
    try {
      j = read_json_file(file);
    } catch (const Error&) {
      continue;
    }
    if (!j.is_object() || !j.contains("sessions") || !j["sessions"].is_array()) continue;
    for (const auto& s : j["sessions"])
      if (s.is_object() && s.contains("devices") && s["devices"].is_array())
        for (const auto& d : s["devices"])
          if (d.is_string()) out.insert(d.get<std::string>());
  }
  return out;
}

namespace {

// A field that is absent or null is not recorded; one of another type is a damaged record.
template <typename T>
std::optional<T> field(const json& j, const char* key, const fs::path& file, const std::string& fix) {
  if (!j.is_object() || !j.contains(key) || j[key].is_null()) return std::nullopt;
  try {
    return j[key].get<T>();
  } catch (const json::exception&) {
    throw Error(file.string() + ": '" + key + "' is " + j[key].dump() + ", not a run record's; " + fix);
  }
}

SpecView read_view(const json& j, const fs::path& file, const std::string& fix) {
  SpecView v;
  v.label = field<std::string>(j, "label", file, fix);
  v.grid = field<json>(j, "grid", file, fix);
  if (v.grid && !v.grid->is_object()) throw Error(file.string() + ": 'grid' is " + v.grid->dump() + ", not an object; " + fix);
  v.is_default = field<bool>(j, "default", file, fix);
  return v;
}

}  // namespace

std::optional<RecordedRun> read_run_record(const fs::path& run_dir) {
  const auto files = run_record_files(run_dir);
  if (files.empty()) return std::nullopt;
  const fs::path& file = files.front();
  const std::string fix = "restore it, or rewrite it with `egsde run SPEC --output " + run_dir.parent_path().string() +
                          " --resume` (finished items are kept)";
  const json j = read_json_file(file, fix);
  if (!j.is_object()) throw Error(file.string() + " is not a JSON object; " + fix);
  RecordedRun r;
  r.file = file;
  r.id = field<std::string>(j, "id", file, fix).value_or("");
  const std::string folder = run_dir.filename().string();
  if (!r.id.empty() && r.id != folder)
    throw Error(file.string() + " is the record of run " + r.id + ", not " + folder +
                "; it was copied into the wrong directory: move it to " + (run_dir.parent_path() / r.id).string() +
                " or remove it");
  if (r.id.empty()) r.id = folder;
  r.spec = field<std::string>(j, "spec", file, fix).value_or("");
  if (const auto m = field<std::string>(j, "method", file, fix)) r.method = runner::parse_method(*m, file.string());
  r.repeat = field<int64_t>(j, "repeat", file, fix);
  if (j.contains("config") && j["config"].is_object())
    if (auto p = field<json>(j["config"], "profile", file, fix); p && p->is_object()) r.profile = std::move(p);
  r.last = read_view(j, file, fix);
  if (const auto specs = field<json>(j, "specs", file, fix); specs && specs->is_object()) {
    for (const auto& [name, view] : specs->items())
      if (view.is_object()) r.views[name] = read_view(view, file, fix);
  } else if (!r.spec.empty()) {
    r.views[r.spec] = r.last;  // a record of egsde before "specs": the view of the spec that wrote it
  }
  r.devices = read_devices(run_dir);
  return r;
}

}  // namespace egsde::report
