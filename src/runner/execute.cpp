#include "runner/execute.h"

#include <algorithm>
#include <map>
#include <set>

#include "core/error.h"
#include "core/json_io.h"
#include "core/provenance.h"
#include "runner/weights_record.h"

namespace egsde::runner {
namespace fs = std::filesystem;
using nlohmann::json;

bool is_spec_setting(const Spec& spec, const Run& run) {
  json base = spec.profile;
  apply_method(base, run.method);
  for (const auto& [key, value] : run.grid_point.items()) {
    std::string pointer = "/" + key;  // "args.ls" -> "/args/ls"
    std::replace(pointer.begin(), pointer.end(), '.', '/');
    const json::json_pointer p(pointer);
    if (!base.contains(p) || !run.profile.contains(p) || base.at(p) != run.profile.at(p)) return false;
  }
  return true;
}

json run_record(const Plan& plan, const PlannedRun& pr) {
  const Run& run = pr.run;
  return {{"id", run.id},
          {"label", run.label},
          {"spec", plan.spec.name},
          {"spec_file", plan.spec.file.string()},
          {"method", to_string(run.method)},
          {"repeat", run.repeat},
          {"seed", run.seed},
          {"grid", run.grid_point},
          {"default", is_spec_setting(plan.spec, run)},
          {"config", run.config},
          {"profile_dir", plan.spec.profile_dir.string()},
          {"source", pr.images.dir.string()},
          {"shard", std::to_string(plan.shard.index) + "/" + std::to_string(plan.shard.count)},
          {"items", pr.items.size()}};
}

namespace {

void write_plan_file(const Plan& plan) {
  json runs = json::array();
  for (const auto& pr : plan.runs)
    runs.push_back({{"id", pr.run.id}, {"label", pr.run.label}, {"images", pr.image_count}});
  write_json_file(plan.output / ("plan." + plan.spec.name + ".json"),
                  {{"spec", plan.spec.name}, {"spec_file", plan.spec.file.string()}, {"runs", runs}});
}

}  // namespace

ExecuteResult execute(const Plan& plan, const WorkerFactory& factory, const ExecuteOptions& options) {
  std::error_code ec;
  fs::create_directories(plan.output, ec);
  if (ec) throw Error("cannot create output " + plan.output.string() + ": " + ec.message() + "; choose a writable --output");
  const RecordStore store(plan.output);
  const std::vector<WorkItem> items = plan_items(plan);

  std::size_t finished = 0;
  std::set<std::string> to_do;  // runs with items to do or redo
  for (const auto& item : items) {
    if (store.is_done(item)) ++finished;
    else to_do.insert(item.run_id);
  }
  if (!options.resume && finished > 0)
    throw Error(plan.output.string() + " already has " + std::to_string(finished) +
                " finished items of this spec; pass --resume to continue, or --output a new directory");
  std::map<std::string, std::string> digests;  // weight file -> digest, each read once
  for (const auto& pr : plan.runs) {
    if (!pr.images.found)
      throw Error("run " + pr.run.id + " (" + pr.run.label + "): source folder " + pr.images.dir.string() +
                  " does not exist; download the data (see datasets/) or fix args.testdata_path");
    prepare_run_dir(store, pr.run.id);
    check_or_record_weights(store, pr.run, weights_digests(pr.run, digests));
    // Its evaluation describes images about to be (re)written: evaluate_complete_runs redoes it.
    if (to_do.count(pr.run.id))
      for (const char* stale : {"metrics.json", "per_image.h5"}) fs::remove(store.run_dir(pr.run.id) / stale, ec);
  }
  write_plan_file(plan);

  const std::string started = utc_now();
  QueueOptions qo;
  qo.workers = options.workers;
  qo.keep_going = options.keep_going;
  qo.progress = options.progress;
  ExecuteResult result;
  result.queue = run_queue(items, factory, qo, store);

  // Run records: this session appended to earlier ones.
  json devices = json::array();
  for (const auto& w : options.workers) devices.push_back(w.device);
  const json prov = provenance();
  for (const auto& pr : plan.runs) {
    const fs::path file = store.run_dir(pr.run.id) / RecordStore::run_record_name(plan.shard.index, plan.shard.count);
    json sessions = json::array(), specs = json::object();
    if (fs::exists(file, ec)) {
      try {
        const json old = read_json_file(file);
        if (old.contains("sessions") && old["sessions"].is_array()) sessions = old["sessions"];
        if (old.contains("specs") && old["specs"].is_object()) specs = old["specs"];
        else if (old.contains("spec") && old["spec"].is_string())  // a record of egsde before "specs"
          specs[old["spec"].get<std::string>()] = {{"spec_file", old.value("spec_file", json())},
                                                   {"label", old.value("label", json())}, {"grid", old.value("grid", json())}};
      } catch (const Error&) {
        // a damaged record loses its session history, not its items
      }
    }
    const auto it = result.queue.runs.find(pr.run.id);
    const RunTiming timing = it == result.queue.runs.end() ? RunTiming{} : it->second;
    const double wall = timing.first_start < 0 ? 0.0 : timing.last_end - timing.first_start;
    sessions.push_back({{"started", started},
                        {"finished", utc_now()},
                        {"images", timing.done},
                        {"failed", timing.failed},
                        {"wall_seconds", wall},
                        {"busy_seconds", timing.busy_seconds},
                        {"images_per_second", wall > 0 ? static_cast<double>(timing.done) / wall : 0.0},
                        {"workers", options.workers.size()},
                        {"devices", devices},
                        {"provenance", prov}});
    std::size_t done = 0;
    for (const auto& item : pr.items) done += store.is_done(item) ? 1 : 0;
    json record = run_record(plan, pr);
    record["items_done"] = done;
    record["status"] = done == pr.items.size() ? "complete" : "incomplete";
    record["sessions"] = sessions;
    specs[plan.spec.name] = {{"spec_file", record["spec_file"]}, {"label", record["label"]}, {"grid", record["grid"]},
                             {"default", record["default"]}};
    record["specs"] = specs;
    write_json_file(file, record);
    if (done == pr.items.size()) ++result.runs_complete;
  }

  if (!options.keep_going && !result.queue.failures.empty()) {
    const Failure& f = result.queue.failures.front();
    throw Error((f.item_id.empty() ? std::string() : "item " + f.item_id + " failed: ") + f.message +
                "; fix it and rerun with --resume (finished items are kept)");
  }
  return result;
}

}  // namespace egsde::runner
