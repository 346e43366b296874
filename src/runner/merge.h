// `egsde merge`: shard output roots (from `egsde run --shard i/n` on several machines) into one
// root, as if one machine had run everything: per run, items/ markers and their images/ are
// copied; an item present in several roots must have the same image bytes and the same record
// (timing fields aside: worker, device, seconds, batch_size, finished), else the merge stops
// naming it. The shard records become one run.json (sessions concatenated, "merged_from"
// listing the inputs, status "complete" when every shard 0..n-1 is there and complete).
// The merge is written to a hidden folder next to the output and renamed into place at the end
// (under the output's lock, core/output_lock.h): a failed merge leaves the output as it was.
#pragma once
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace egsde::runner {

struct MergeOptions {
  std::vector<std::filesystem::path> inputs;
  std::filesystem::path output;
  bool overwrite = false;  // allow a non-empty output (replaced by the merge as a whole)
};

struct MergeResult {
  std::size_t runs = 0;
  std::size_t items = 0;        // distinct finished items in the output
  std::size_t duplicates = 0;   // items found identical in more than one input
  std::size_t complete = 0;     // runs whose merged status is complete
  std::vector<std::string> notes;
};

MergeResult merge_roots(const MergeOptions& options);

}  // namespace egsde::runner
