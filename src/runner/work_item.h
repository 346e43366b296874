// The unit of work of `egsde run`: one source image of one resolved run, and the worker (one
// thread, bound to one device) that executes it. Device assignment is data, not thread state.
#pragma once
#include <cstddef>
#include <filesystem>
#include <string>

namespace egsde::runner {

struct WorkItem {
  std::string id;                    // "<run_id>/<image>": stable; shards and records key on it
  std::size_t run_index = 0;         // into the plan's runs
  std::string run_id;
  std::string image;                 // source file name; outputs keep it
  std::size_t image_index = 0;       // position in the sorted source folder
  std::size_t batch_size = 1;        // at most this many items of the same run go in one batch
  std::filesystem::path source;      // the source image file
  std::filesystem::path output_dir;  // where the translator writes this item's outputs
};

struct Worker {
  int index = 0;
  std::string device = "cpu";  // "cpu", "cuda:0", ...
};

}  // namespace egsde::runner
