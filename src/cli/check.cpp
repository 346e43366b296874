// `egsde check RESULTS --baseline B.json`: exit 1 with a table of every cell that moved beyond
// tolerance, has another n or is missing, 0 with one OK line; `--write-baseline` records RESULTS
// as the baseline.
#include <iostream>

#include "cli/commands.h"
#include "core/error.h"
#include "report/check.h"

namespace egsde::cli {
namespace {

struct CheckArgs {
  std::string results;
  std::string baseline;
  std::string tol;
  bool write = false;
  bool overwrite = false;
};

}  // namespace

void register_check(CLI::App& app) {
  auto a = std::make_shared<CheckArgs>();
  auto* cmd = app.add_subcommand("check", "Regression check: compare aggregated results with a baseline (exit 1 if a value moved beyond tolerance, "
      "a cell has another n (repeats) or is missing)");
  cmd->add_option("results", a->results, "table.csv, a results directory holding one, or a runs directory")->required();
  cmd->add_option("--baseline", a->baseline, "Baseline JSON (results/baselines/<name>.json, e.g. results/baselines/smoke.json)")->required();
  cmd->add_option("--tol", a->tol, "Absolute tolerances overriding the baseline's, e.g. fid=0.5,ssim=0.002 (each name must be a metric of "
                  "the baseline, or with --write-baseline of RESULTS)");
  cmd->add_flag("--write-baseline", a->write, "Record RESULTS as the baseline instead of checking");
  cmd->add_flag("--overwrite", a->overwrite, "With --write-baseline: replace an existing baseline");
  cmd->callback([a] {
    const auto tol = report::parse_tolerances(a->tol);
    const auto rows = report::load_results(a->results);
    if (a->write) {
      report::write_baseline(a->baseline, rows, tol, a->results, a->overwrite);
      std::cout << "egsde check: wrote baseline " << a->baseline << "\n";
      return;
    }
    const report::Baseline b = report::read_baseline(a->baseline);
    const report::CheckResult r = report::check(b, rows, tol);
    report::print_check(r, a->baseline, std::cout);
    if (!r.ok()) throw CLI::RuntimeError(1);  // a regression, not a usage error: the table says what moved
  });
}

}  // namespace egsde::cli
