// A plan: the spec's runs (after --only) with their source images and work items (after
// --shard and max_images). Built without touching any model, so `--dry-run` prints it.
#pragma once
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "runner/expand.h"
#include "runner/work_item.h"
#include "runner/work_queue.h"

namespace egsde::runner {

// A run's source images by egsde's one listing (core/image_list.h: recursive, the official
// extensions, sorted by path); names are the file names (outputs and records are named by
// them, so two files of one name are an error naming both).
struct ImageList {
  std::filesystem::path dir;
  bool found = false;                        // dir is a folder
  std::vector<std::string> names;            // file names, in listing order
  std::vector<std::filesystem::path> paths;  // the files, aligned with names
};
ImageList list_images(const std::filesystem::path& dir);

struct PlannedRun {
  Run run;
  ImageList images;               // every source image of the run (before max_images)
  std::vector<WorkItem> items;    // this shard's items, in image order
  std::size_t image_count = 0;    // images of the run after max_images (all shards)
};

struct PlanOptions {
  std::filesystem::path output;    // output root: one directory per run id
  Shard shard;
  std::vector<std::string> only;   // run ids or unique id prefixes; empty = all
  int64_t max_images = -1;         // -1: the spec's; 0: all
};

struct Plan {
  Spec spec;
  std::size_t collapsed = 0;
  std::vector<PlannedRun> runs;
  std::filesystem::path output;
  Shard shard;
};

Plan make_plan(const Spec& spec, const PlanOptions& options);
std::vector<WorkItem> plan_items(const Plan& plan);

// One line per run (id, method/grid/seed label, items) and a total; notes missing folders.
void print_plan(const Plan& plan, std::ostream& out);

}  // namespace egsde::runner
