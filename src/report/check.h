// `egsde check`: a regression check of aggregated results against a committed baseline
// (results/baselines/<name>.json):
//   {"name": "...", "created": "...", "source": "...", "provenance": {...},
//    "tolerances": {"fid": 0.5, "ssim": 0.002, ...},        // absolute, per metric
//    "rows": [{"method": "egsde", "grid": "args.ls=500", "metric": "fid", "mean": 65.8, "n": 5}, ...]}
// A cell fails when |new − old| > tol, when its n (repeats with a value) differs from the
// baseline's, or when the results lack it; a baseline without cells is refused.
#pragma once
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "report/aggregate.h"

namespace egsde::report {

struct ResultRow {
  std::string method;  // spec spelling ("egsde-dagger")
  std::string grid;    // grid_text ("" = no grid)
  std::string metric;
  double mean = 0;     // NaN = no value
  std::size_t n = 0;
};

// Rows of a table.csv written by `egsde table` ("#" lines skipped; columns by header name).
std::vector<ResultRow> read_table_csv(const std::filesystem::path& file);
std::vector<ResultRow> rows_from_aggregate(const Aggregate& agg);
// RESULTS: a table.csv, a directory holding one, or a runs directory (aggregated from its run
// records and metrics.json files).
std::vector<ResultRow> load_results(const std::filesystem::path& results);

// Absolute tolerances used when a baseline gives none for a metric.
const std::map<std::string, double>& default_tolerances();
// "fid=0.5,ssim=0.002" → {fid: 0.5, ssim: 0.002}; throws egsde::Error naming the bad entry.
std::map<std::string, double> parse_tolerances(const std::string& text);

struct Baseline {
  std::string name;
  std::map<std::string, double> tolerances;
  std::vector<ResultRow> rows;
  nlohmann::json meta = nlohmann::json::object();  // created, source, provenance
};

// Throws egsde::Error naming the file and what is wrong (which row), and for a baseline without rows.
Baseline read_baseline(const std::filesystem::path& file);
// Refuses a --tol name that is no metric of `rows` (`where`: "baseline NAME", the results),
// suggesting the nearest: a tolerance that matches nothing would be ignored silently.
void check_tolerance_names(const std::map<std::string, double>& tol, const std::vector<ResultRow>& rows,
                           const std::string& where);
// Rows with a value, tolerances = defaults for their metrics overridden by `tol` (names checked
// against those rows). Refuses to replace an existing file unless `overwrite`.
void write_baseline(const std::filesystem::path& file, const std::vector<ResultRow>& rows,
                    const std::map<std::string, double>& tol, const std::string& source, bool overwrite);

// A failed cell: moved beyond tol, another n, or missing.
struct Moved {
  ResultRow old;
  std::optional<double> now;  // nullopt: missing from the results
  std::size_t n_now = 0;      // the results' n (0 when missing)
  double tol = 0;
};

struct CheckResult {
  std::size_t compared = 0;
  std::vector<Moved> moved;
  std::size_t added = 0;      // result cells the baseline does not have (reported, not failures)
  bool ok() const { return compared > 0 && moved.empty(); }  // nothing compared is no pass
};

// `tol` overrides the baseline's tolerances (names checked against the baseline's metrics).
CheckResult check(const Baseline& baseline, const std::vector<ResultRow>& results,
                  const std::map<std::string, double>& tol);

// The table of failed cells (method, grid, metric, old, new, delta, tol, n as "2→1" when it
// changed), or one OK line.
void print_check(const CheckResult& r, const std::string& baseline_name, std::ostream& out);

}  // namespace egsde::report
