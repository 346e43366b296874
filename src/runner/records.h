// Records under an output root, one directory per run (OUT/<run_id>/):
//   run.json | run.shard-I-of-N.json  the run record: resolved config, provenance, sessions
//   weights.json                      the digests of the weight files it translates with
//                                     (runner/weights_record.h: --resume refuses other weights)
//   items/<image>.json                the completion marker + per-item record of a finished item,
//                                     with the size and digest of its image (image_bytes, image_digest)
//   failed/<image>.json               the last failure of an item that is not finished
//   images/<image>                    the translated outputs (written by the translator)
// Every file is written atomically (temp + rename) and a marker only after the item's outputs,
// so after a crash at any moment an item is either finished (marker present, outputs complete)
// or redone by --resume; one marker file per item id means nothing is counted twice. A marker
// counts only while its image is the file it recorded: a missing, truncated or changed image
// makes the item unfinished again (check()).
#pragma once
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "runner/work_item.h"

namespace egsde::runner {

// What check() found for an item.
enum class ItemState {
  NotDone,         // no valid marker
  Done,            // marker present, image as recorded
  ImageMissing,    // marker present, image gone
  ImageTruncated,  // marker present, image shorter than recorded
  ImageChanged,    // marker present, image of another size or other bytes than recorded
};
// "image missing", "image truncated", "image changed" (for the redo note of --resume).
std::string to_string(ItemState state);

class RecordStore {
 public:
  explicit RecordStore(std::filesystem::path root);

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path run_dir(const std::string& run_id) const;
  std::filesystem::path images_dir(const std::string& run_id) const;

  // The item's marker checked against its image (item.output_dir / item.image): a record with
  // image_digest needs the same size and digest; older records (egsde before issue 19, no digest)
  // are trusted by image_bytes when present, else by the image's existence.
  ItemState check(const WorkItem& item) const;
  // True when check() is Done.
  bool is_done(const WorkItem& item) const { return check(item) == ItemState::Done; }
  // Writes the marker (record + id/run/image, and image_bytes + image_digest of the item's image
  // when it exists) atomically; clears a failure record.
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
