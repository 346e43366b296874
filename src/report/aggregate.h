// Results of an output root, aggregated for the tables: each run's record (what ran: method,
// grid point, repeat, default flag, profile, devices) and metrics.json (OUT/<run_id>/metrics.json,
// written by the evaluation) are loaded, runs are grouped by
// (method, grid point) and summarised over repeats as mean ± sample std (ddof = 1). Nothing is
// dropped silently: a run without metrics.json, or a metric missing from one, is counted as
// missing in its cell.
#pragma once
#include <cstddef>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "report/run_records.h"
#include "runner/spec.h"

namespace egsde::report {

enum class Better { Lower, Higher };

struct MetricInfo {
  std::string name;     // key in metrics.json ("fid")
  std::string title;    // column title ("FID")
  Better better = Better::Lower;
  int precision = 4;    // decimals shown in the tables
};
// Known metrics (fid, kid, fd, l2, mse, psnr, ssim, ms_ssim, accuracy); others get a generic entry.
MetricInfo metric_info(const std::string& name);
bool is_known_metric(const std::string& name);
// The columns every table has, in order, even when no run has them.
const std::vector<std::string>& core_metrics();

// Display names: "EGSDE", "EGSDE†", "SDEdit", "ILVR".
std::string method_title(runner::Method m);

// One run as the tables see it.
struct RunResult {
  std::string id;
  std::string label;
  runner::Method method = runner::Method::Egsde;
  nlohmann::json grid = nlohmann::json::object();  // effective grid values (see effective_grid)
  bool is_default = false;                          // the spec's own setting (paper comparison, samples)
  int64_t repeat = 0;
  bool found = false;                               // its folder has a run record or metrics.json
  bool has_metrics = false;                         // metrics.json found
  std::map<std::string, double> metrics;            // its numeric entries
  std::set<std::string> devices;                    // from the run records' sessions
  std::string protocol;                             // metrics.json "protocol" ("" = not given)
  std::vector<std::string> notes;                   // metrics shown as missing, and why
};

// The value each grid key has in the resolved profile: a method that fixes a key (sdedit fixes
// args.ls = 0) shows the value it ran with, not the grid value it collapsed.
nlohmann::json effective_grid(const nlohmann::json& grid_point, const nlohmann::json& profile);
// "args.ls=500 args.t=300"; "" for no grid.
std::string grid_text(const nlohmann::json& grid);

struct RunMetrics {
  std::map<std::string, double> values;  // the numeric entries (bookkeeping keys aside)
  std::string protocol;                  // "protocol" ("" = not given)
  std::vector<std::string> notes;        // known metrics that are null (not finite when evaluated)
};
// OUT/<id>/metrics.json; nullopt when the file does not exist. Throws egsde::Error when it is
// unreadable or truncated, names another run, or holds a known metric (fid, ssim, ...) that is
// not a number (null is a note: JSON writes NaN and inf as null).
std::optional<RunMetrics> read_metrics(const std::filesystem::path& run_dir, const std::string& run_id);

// The spec's runs under `root`, as they ran: every run the spec expands to (found or not), in
// expansion order. A found run's label, method, grid, repeat, default flag, profile (for
// effective_grid) and devices come from its records (report/run_records.h), never from the spec
// as it is now; the spec's expansion says only which runs to expect, and fills what an older
// record lacks. `notes` name the runs whose records disagree with the current expansion (the
// spec was edited since), lack fields, or were run by another spec that shares them.
struct SpecRuns {
  std::vector<RunResult> runs;
  std::vector<std::string> notes;
  std::vector<std::string> strays;  // "ID (label)": folders the spec ran that it no longer expands to
};
SpecRuns runs_from_spec(const runner::Spec& spec, const std::filesystem::path& root);
// Every run directory under `root` that has a run record (run.json, else a shard record), with
// the view of the spec that wrote it last.
std::vector<RunResult> runs_from_dir(const std::filesystem::path& root);

struct Reference {
  double mean = 0;
  std::optional<double> std;
};

struct Stat {
  std::size_t n = 0;        // values present
  std::size_t missing = 0;  // runs of the group without this value
  double mean = 0;          // NaN when n == 0
  double std = 0;           // sample std (ddof = 1); NaN when n < 2
};
// Mean and sample std of `values`; `expected` runs in all (missing = expected − n).
Stat summarize(const std::vector<double>& values, std::size_t expected);

struct Group {
  runner::Method method = runner::Method::Egsde;
  nlohmann::json grid = nlohmann::json::object();
  bool is_default = false;
  std::vector<std::string> run_ids;             // repeats, in order
  std::size_t with_metrics = 0;                 // runs that have metrics.json
  std::map<std::string, Stat> stats;            // per metric
  std::map<std::string, Reference> paper;       // the paper's values (default point only)
};

struct Aggregate {
  std::vector<std::string> metrics;  // columns: core_metrics() then any extras found, sorted
  std::vector<Group> groups;         // in the order runs first appear
  std::size_t runs = 0;
  std::size_t runs_with_metrics = 0;
  std::set<std::string> devices;
  std::set<std::string> protocols;   // FID protocols the metrics were computed with (one, normally)
};

Aggregate aggregate(const std::vector<RunResult>& runs);

// The paper's values (experiments/paper/reference.json): task → "methods" → method → metric →
// {"mean", "std"} (or a number); null entries and "_" keys are absent values. read() refuses a
// file of another schema (a baseline, a spec) with one line naming the first wrong entry.
class PaperReference {
 public:
  PaperReference() = default;
  static PaperReference read(const std::filesystem::path& file);
  std::optional<Reference> find(const std::string& task, runner::Method method, const std::string& metric) const;
  const std::filesystem::path& file() const { return file_; }
  std::vector<std::string> tasks() const;
  bool empty() const { return json_.is_null(); }

 private:
  nlohmann::json json_;
  std::filesystem::path file_;
};

// Fills Group::paper of the default grid point of each method.
void attach_reference(Aggregate& agg, const PaperReference& ref, const std::string& task);

}  // namespace egsde::report
