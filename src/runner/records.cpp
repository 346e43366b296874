#include "runner/records.h"

#include <algorithm>
#include <ctime>

#include "core/digest.h"
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

std::string to_string(ItemState state) {
  switch (state) {
    case ItemState::NotDone: return "not done";
    case ItemState::Done: return "done";
    case ItemState::ImageMissing: return "image missing";
    case ItemState::ImageTruncated: return "image truncated";
    case ItemState::ImageChanged: return "image changed";
  }
  return "?";
}

ItemState RecordStore::check(const WorkItem& item) const {
  const fs::path m = marker(item);
  std::error_code ec;
  if (!fs::is_regular_file(m, ec)) return ItemState::NotDone;
  json j;
  try {
    j = read_json_file(m);
  } catch (const Error&) {
    return ItemState::NotDone;  // unreadable marker: redo the item
  }
  if (!j.is_object() || j.value("id", std::string()) != item.id) return ItemState::NotDone;
  if (item.output_dir.empty()) return ItemState::Done;  // an item without an image (tests)
  const fs::path image = item.output_dir / item.image;
  if (!fs::is_regular_file(image, ec)) return ItemState::ImageMissing;
  // Records of egsde before issue 19 have no image_digest: trusted by size if they have one,
  // else by the image's existence (checked above).
  if (j.contains("image_bytes") && j["image_bytes"].is_number_unsigned()) {
    const auto recorded = j["image_bytes"].get<std::uintmax_t>();
    const std::uintmax_t size = fs::file_size(image, ec);
    if (ec) return ItemState::ImageMissing;
    if (size < recorded) return ItemState::ImageTruncated;
    if (size != recorded) return ItemState::ImageChanged;
  }
  if (j.contains("image_digest") && j["image_digest"].is_string()) {
    try {
      if (file_digest(image) != j["image_digest"].get<std::string>()) return ItemState::ImageChanged;
    } catch (const Error&) {
      return ItemState::ImageMissing;  // unreadable now: redo it
    }
  }
  return ItemState::Done;
}

void RecordStore::mark_done(const WorkItem& item, json record) const {
  if (!record.is_object()) record = json::object();
  if (!item.output_dir.empty()) {
    const fs::path image = item.output_dir / item.image;
    std::error_code ec;
    const std::uintmax_t size = fs::file_size(image, ec);
    if (!ec) {  // no image: nothing was written, and check() will redo the item
      record["image_bytes"] = size;
      record["image_digest"] = file_digest(image);
    }
  }
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
