// Executes a plan: prepares the run directories, runs the work queue, and writes each run's
// record (resolved config, provenance, this session's wall time and images/s, appended to the
// sessions of earlier attempts).
#pragma once
#include <functional>
#include <vector>

#include "runner/plan.h"
#include "runner/work_queue.h"

namespace egsde::runner {

struct ExecuteOptions {
  std::vector<Worker> workers{Worker{}};
  bool resume = false;       // without it, an output root with finished items of the plan is an error
  bool keep_going = false;   // record failures and go on; otherwise stop at the first
  std::function<void(const QueueProgress&)> progress;
};

struct ExecuteResult {
  QueueResult queue;
  std::size_t runs_complete = 0;  // runs whose every item (of this shard) is finished
};

// A run with items to do or redo loses its metrics.json and per_image.h5 first (they describe
// the images being replaced). Throws egsde::Error on the first failure unless keep_going (then the failures are in the
// result and in OUT/<run>/failed/). Finished items are always kept for --resume.
ExecuteResult execute(const Plan& plan, const WorkerFactory& factory, const ExecuteOptions& options);

// The run record as written to OUT/<run_id>/run.json (without sessions and specs). Its label,
// grid and default are this spec's view of the run; execute() also keeps each spec's view under
// "specs" (NAME → {spec_file, label, grid, default}), since runs of one config are shared by the
// specs that expand to it (demo and demo_sweep) and `egsde table` shows each spec's own view.
nlohmann::json run_record(const Plan& plan, const PlannedRun& pr);

// Whether the run is the spec's own setting ("default" in the record; the tables mark it and
// compare it with the paper): at each of its grid keys its profile has the value of the spec's
// profile with the run's method applied (no grid: always).
bool is_spec_setting(const Spec& spec, const Run& run);

}  // namespace egsde::runner
