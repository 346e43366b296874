#include "runner/plan.h"

#include <algorithm>
#include <iomanip>
#include <map>
#include <set>

#include "core/error.h"
#include "core/image_list.h"

namespace egsde::runner {
namespace fs = std::filesystem;

ImageList list_images(const fs::path& dir) {
  ImageList list;
  list.dir = dir;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return list;
  list.found = true;
  list.paths = list_image_files(dir);
  require_distinct_names(list.paths, "source folder " + dir.string());
  for (const auto& p : list.paths) list.names.push_back(p.filename().string());
  return list;
}

Plan make_plan(const Spec& spec, const PlanOptions& options) {
  Plan plan;
  plan.spec = spec;
  plan.output = options.output;
  plan.shard = options.shard;
  Expansion expansion = expand(spec);
  plan.collapsed = expansion.collapsed;

  std::vector<Run> selected;
  if (options.only.empty()) {
    selected = std::move(expansion.runs);
  } else {
    std::set<std::string> ids;
    for (const auto& key : options.only) ids.insert(find_run(expansion.runs, key).id);
    for (auto& run : expansion.runs)  // keep the spec's order
      if (ids.count(run.id)) selected.push_back(std::move(run));
  }

  const int64_t max_images = options.max_images >= 0 ? options.max_images : spec.max_images;
  std::map<fs::path, ImageList> listings;  // one directory listing per source folder
  for (std::size_t r = 0; r < selected.size(); ++r) {
    PlannedRun pr;
    pr.run = std::move(selected[r]);
    const fs::path source = pr.run.resolved.args.testdata_path.front();
    auto it = listings.find(source);
    if (it == listings.end()) it = listings.emplace(source, list_images(source)).first;
    pr.images = it->second;
    std::size_t n = pr.images.names.size();
    if (max_images > 0) n = std::min<std::size_t>(n, static_cast<std::size_t>(max_images));
    pr.image_count = n;
    const auto batch = static_cast<std::size_t>(pr.run.resolved.args.batch_size);
    for (std::size_t i = 0; i < n; ++i) {
      WorkItem item;
      item.image = pr.images.names[i];
      item.id = pr.run.id + "/" + item.image;
      if (!in_shard(item.id, options.shard)) continue;
      item.run_index = r;
      item.run_id = pr.run.id;
      item.image_index = i;
      item.batch_size = batch;
      item.source = pr.images.paths[i];
      item.output_dir = options.output / pr.run.id / "images";
      pr.items.push_back(std::move(item));
    }
    plan.runs.push_back(std::move(pr));
  }
  return plan;
}

std::vector<WorkItem> plan_items(const Plan& plan) {
  std::vector<WorkItem> items;
  for (const auto& pr : plan.runs) items.insert(items.end(), pr.items.begin(), pr.items.end());
  return items;
}

void print_plan(const Plan& plan, std::ostream& out) {
  const Spec& s = plan.spec;
  out << "spec " << s.name << (s.file.empty() ? "" : " (" + s.file.string() + ")") << ": " << plan.runs.size()
      << " runs";
  if (plan.collapsed) out << " (" << plan.collapsed << " grid points collapsed into identical runs)";
  out << ", rng " << to_string(s.rng);
  if (plan.shard.count > 1) out << ", shard " << plan.shard.index << "/" << plan.shard.count;
  out << ", output " << plan.output.string() << "\n";
  std::size_t total = 0;
  bool unknown = false;
  for (const auto& pr : plan.runs) {
    out << "  " << pr.run.id << "  " << std::left << std::setw(48) << pr.run.label << " ";
    if (!pr.images.found) {
      out << "? items (missing " << pr.images.dir.string() << ")\n";
      unknown = true;
      continue;
    }
    out << pr.items.size() << " items";
    if (plan.shard.count > 1) out << " of " << pr.image_count;
    out << "\n";
    total += pr.items.size();
  }
  out << "total " << total << (unknown ? "+? " : " ") << "items";
  if (s.evaluation)
    out << "; evaluation " << to_string(s.evaluation->task) << " (" << to_string(s.evaluation->protocol) << ") vs "
        << s.evaluation->target.string();
  out << "\n";
}

}  // namespace egsde::runner
