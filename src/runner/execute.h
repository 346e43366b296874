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

// The run record as written to OUT/<run_id>/run.json (without sessions).
nlohmann::json run_record(const Plan& plan, const PlannedRun& pr);

}  // namespace egsde::runner
