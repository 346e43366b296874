// Records under an output root, one directory per run (OUT/<run_id>/):
//   run.json | run.shard-I-of-N.json  the run record: resolved config, provenance, sessions
//   items/<image>.json                the completion marker + per-item record of a finished item
//   failed/<image>.json               the last failure of an item that is not finished
//   images/<image>                    the translated outputs (written by the translator)
// Every file is written atomically (temp + rename) and a marker only after the item's outputs,
// so after a crash at any moment an item is either finished (marker present, outputs complete)
// or redone by --resume; one marker file per item id means nothing is counted twice.
#pragma once
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "runner/work_item.h"

namespace egsde::runner {

class RecordStore {
 public:
  explicit RecordStore(std::filesystem::path root);

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path run_dir(const std::string& run_id) const;
  std::filesystem::path images_dir(const std::string& run_id) const;

  // True when the item's marker exists and is a valid record of this item.
  bool is_done(const WorkItem& item) const;
  // Writes the marker (record + id/run/image) atomically; clears a failure record.
  void mark_done(const WorkItem& item, nlohmann::json record) const;
  void mark_failed(const WorkItem& item, const std::string& message, const nlohmann::json& extra = {}) const;

  // The finished items' records of a run, sorted by image name.
  std::vector<nlohmann::json> done_records(const std::string& run_id) const;
  // Failure records of a run (items not finished since).
  std::vector<nlohmann::json> failed_records(const std::string& run_id) const;

  // Run record file name for a shard (run.json for 0/1).
  static std::string run_record_name(int shard_index, int shard_count);

 private:
  std::filesystem::path marker(const WorkItem& item) const;
  std::filesystem::path failure(const WorkItem& item) const;
  std::filesystem::path root_;
};

// Creates OUT/<run_id>/{items,failed,images}.
void prepare_run_dir(const RecordStore& store, const std::string& run_id);

// UTC time as "2024-01-31T12:34:56Z".
std::string utc_now();

}  // namespace egsde::runner
