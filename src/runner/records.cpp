#include "runner/records.h"

#include <algorithm>
#include <ctime>

#include "core/error.h"
#include "core/json_io.h"

namespace egsde::runner {
namespace fs = std::filesystem;
using nlohmann::json;

RecordStore::RecordStore(fs::path root) : root_(std::move(root)) {}

fs::path RecordStore::run_dir(const std::string& run_id) const { return root_ / run_id; }
fs::path RecordStore::images_dir(const std::string& run_id) const { return run_dir(run_id) / "images"; }
fs::path RecordStore::marker(const WorkItem& item) const {
  return run_dir(item.run_id) / "items" / (item.image + ".json");
}
fs::path RecordStore::failure(const WorkItem& item) const {
  return run_dir(item.run_id) / "failed" / (item.image + ".json");
}

bool RecordStore::is_done(const WorkItem& item) const {
  const fs::path m = marker(item);
  std::error_code ec;
  if (!fs::is_regular_file(m, ec)) return false;
  try {
    const json j = read_json_file(m);
    return j.is_object() && j.value("id", std::string()) == item.id;
  } catch (const Error&) {
    return false;  // unreadable marker: redo the item
  }
}

void RecordStore::mark_done(const WorkItem& item, json record) const {
  if (!record.is_object()) record = json::object();
  record["id"] = item.id;
  record["run"] = item.run_id;
  record["image"] = item.image;
  record["image_index"] = item.image_index;
  write_json_file(marker(item), record);
  std::error_code ec;
  fs::remove(failure(item), ec);
}

void RecordStore::mark_failed(const WorkItem& item, const std::string& message, const json& extra) const {
  json record = extra.is_object() ? extra : json::object();
  record["id"] = item.id;
  record["run"] = item.run_id;
  record["image"] = item.image;
  record["error"] = message;
  record["time"] = utc_now();
  write_json_file(failure(item), record);
}

namespace {

std::vector<json> read_records(const fs::path& dir) {
  std::vector<std::pair<std::string, json>> found;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return {};
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name[0] == '.' || entry.path().extension() != ".json") continue;  // skip temp files
    try {
      found.emplace_back(name, read_json_file(entry.path()));
    } catch (const Error&) {
      // a torn or foreign file is not a record
    }
  }
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<json> out;
  for (auto& f : found) out.push_back(std::move(f.second));
  return out;
}

}  // namespace

std::vector<json> RecordStore::done_records(const std::string& run_id) const {
  return read_records(run_dir(run_id) / "items");
}
std::vector<json> RecordStore::failed_records(const std::string& run_id) const {
  return read_records(run_dir(run_id) / "failed");
}

std::string RecordStore::run_record_name(int shard_index, int shard_count) {
  if (shard_count <= 1) return "run.json";
  return "run.shard-" + std::to_string(shard_index) + "-of-" + std::to_string(shard_count) + ".json";
}

void prepare_run_dir(const RecordStore& store, const std::string& run_id) {
  std::error_code ec;
  for (const char* sub : {"items", "failed", "images"}) {
    fs::create_directories(store.run_dir(run_id) / sub, ec);
    if (ec)
      throw Error("cannot create " + (store.run_dir(run_id) / sub).string() + ": " + ec.message() +
                  "; choose a writable --output");
  }
}

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace egsde::runner
