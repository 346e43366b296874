// `egsde run SPEC`: expand an experiment spec into runs and execute its (run, image) items on a
// work queue over devices, with resume, shards and records (src/runner).
#include <iomanip>
#include <iostream>
#include <map>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/device.h"
#include "core/error.h"
#include "core/output_lock.h"
#include "report/report.h"
#include "runner/backends.h"
#include "runner/execute.h"
#include "runner/plan.h"
#include "runner/preflight.h"
#include "runner/spec.h"

namespace egsde::cli {
namespace {

void write_run_report(const std::string& spec, const std::string& name, const std::filesystem::path& output);

struct RunArgs {
  std::string spec;
  std::string output;
  std::string shard = "0/1";
  std::vector<std::string> only;
  std::string devices = "cpu";
  int workers = 0;
  int64_t max_images = -1;
  bool max_images_given = false;
  bool dry_run = false;
  bool resume = false;
  bool keep_going = false;
  bool quiet = false;
  bool no_eval = false;
};

void print_progress(const runner::QueueProgress& p, std::size_t total_items) {
  const std::size_t finished = p.skipped + p.done;
  const double rate = p.seconds > 0 ? static_cast<double>(p.done) / p.seconds : 0.0;
  const double eta = rate > 0 ? static_cast<double>(total_items - finished - p.failed) / rate : 0.0;
  std::cerr << "egsde run: " << finished << "/" << total_items << " items";
  if (p.failed) std::cerr << ", " << p.failed << " failed";
  std::cerr << std::fixed << std::setprecision(2) << ", " << rate << " images/s, ETA " << std::setprecision(0) << eta
            << " s" << (::isatty(2) ? "\r" : "\n") << std::defaultfloat << std::flush;
}

// "egsde run: redoing 2 finished items whose image no longer matches its record (1 image missing, 1 image
// truncated)", or nothing.
void print_redone(const std::map<std::string, std::size_t>& redone) {
  std::size_t n = 0;
  std::string why;
  for (const auto& [reason, count] : redone) {
    n += count;
    why += (why.empty() ? "" : ", ") + std::to_string(count) + " " + reason;
  }
  if (n > 0)
    std::cout << "egsde run: redid " << n << " finished items whose image no longer matched its record (" << why
              << ")\n";
}

void run_run(const RunArgs& a) {
  if (a.max_images < -1 || (a.max_images_given && a.max_images < 0))
    throw Error("--max-images " + std::to_string(a.max_images) + ": need N >= 0 (0 = all source images)");
  const runner::Spec spec = runner::read_spec(a.spec);
  runner::PlanOptions po;
  po.output = a.output.empty() ? std::filesystem::path("runs") / spec.name : std::filesystem::path(a.output);
  po.shard = runner::parse_shard(a.shard);
  po.only = a.only;
  po.max_images = a.max_images;
  const runner::Plan plan = runner::make_plan(spec, po);
  const auto workers = runner::make_workers(runner::parse_devices(a.devices), a.workers);
  for (const auto& w : workers) (void)parse_device(w.device);  // cuda:N present here, also for --dry-run

  // Fails here, as every worker or the evaluation would (the same messages), before any item.
  runner::PreflightOptions pf;
  pf.evaluate = !a.no_eval;
  const runner::Preflight checked = runner::preflight(plan, pf);
  for (const auto& line : checked.warnings) std::cerr << "egsde: warning: " << line << "\n";
  if (a.dry_run) {
    runner::print_plan(plan, std::cout);
    for (const auto& line : checked.missing) std::cout << "note: " << line << "\n";
    return;
  }
  if (!checked.missing.empty())
    throw Error(checked.missing.front() +
                (checked.missing.size() > 1
                     ? " (" + std::to_string(checked.missing.size() - 1) + " more missing: --dry-run lists them)"
                     : std::string()));
  // Held until the evaluation is written: a second run on this output refuses with one line.
  const OutputLock lock = OutputLock::acquire(plan.output, "run");
  const runner::BatchTranslatorFactory translator = runner::sampler_batch_translators();

  runner::ExecuteOptions eo;
  eo.workers = workers;
  eo.resume = a.resume;
  eo.keep_going = a.keep_going;
  const std::size_t total = runner::plan_items(plan).size();
  if (!a.quiet) eo.progress = [total](const runner::QueueProgress& p) { print_progress(p, total); };
  const runner::ExecuteResult r = runner::execute(plan, runner::translator_worker_factory(plan, translator), eo);
  if (!a.quiet && ::isatty(2)) std::cerr << "\n";
  std::cout << "egsde run: " << r.queue.progress.done << " items done, " << r.queue.progress.skipped
            << " already finished, " << r.queue.failures.size() << " failed; " << r.runs_complete << "/"
            << plan.runs.size() << " runs complete in " << plan.output.string() << "\n";
  print_redone(r.queue.redone);
  if (!a.no_eval && r.queue.failures.empty()) {
    const std::size_t n = runner::evaluate_complete_runs(plan, runner::metrics_evaluator(), a.quiet);
    if (n > 0) std::cout << "egsde run: evaluated " << n << " runs (<output>/<run>/metrics.json)\n";
    if (n > 0 && plan.shard.count == 1) write_run_report(a.spec, plan.spec.name, plan.output);
  }
  if (!r.queue.failures.empty()) {
    for (const auto& f : r.queue.failures) std::cout << "  failed " << f.item_id << ": " << f.message << "\n";
    throw Error(std::to_string(r.queue.failures.size()) +
                " items failed (recorded under <output>/<run>/failed/); fix them and rerun with --resume");
  }
}

// After an evaluation: OUT/report/<spec name>/ (egsde report's files and index.html; specs may
// share an output root), where users look first.
// The runs are what matters: a report that cannot be written is a warning, not a failed run.
void write_run_report(const std::string& spec, const std::string& name, const std::filesystem::path& output) {
  report::ReportOptions ro;
  ro.spec = spec;
  ro.runs = output;
  ro.output = output / "report" / name;
  ro.html = true;
  ro.overwrite = true;  // egsde's own folder under the output root, rewritten on every evaluation
  ro.command = "egsde report " + spec + " --runs " + output.string() + " --output " + ro.output.string() + " --overwrite";
  try {
    const report::ReportResult r = report::write_report(ro);
    std::cout << "egsde run: report: file://" << std::filesystem::absolute(ro.output / "index.html").lexically_normal().string()
              << (r.missing.empty() ? "" : " (" + std::to_string(r.missing.size()) + " runs not there yet)") << "\n";
  } catch (const std::exception& e) {
    std::cerr << "egsde: warning: no report written (" << e.what() << "); write it with: " << ro.command << "\n";
  }
}

}  // namespace

void register_run(CLI::App& app) {
  auto args = std::make_shared<RunArgs>();
  auto* cmd = app.add_subcommand("run", "Run an experiment spec: methods x grid x repeats over a work queue, resumable");
  cmd->add_option("spec", args->spec, "Experiment spec (experiments/*.json)")->required();
  cmd->add_flag("--dry-run", args->dry_run,
                "List the runs with their ids and item counts, check every run as its worker would and note the "
                "inputs that do not exist yet; touch no model");
  cmd->add_option("--output", args->output, "Output root, one directory per run id (default runs/<spec name>)");
  cmd->add_option("--shard", args->shard, "Run shard i of n (0-based, by item id), e.g. 0/4")->capture_default_str();
  cmd->add_option("--only", args->only, "Only these runs (ids or unique id prefixes; repeatable)");
  cmd->add_option("--devices", args->devices, "cpu or cuda:0,cuda:1,... (one model replica per worker)")
      ->capture_default_str();
  cmd->add_option("--workers", args->workers, "Worker threads, assigned round-robin to the devices (0 = one per device)")
      ->capture_default_str();
  auto* max_images =
      cmd->add_option("--max-images", args->max_images, "Translate only the first N source images of each run (0 = all)");
  cmd->add_flag("--resume", args->resume, "Skip finished items, redo half-done ones");
  cmd->add_flag("--keep-going", args->keep_going, "Record failed items and go on; report them at the end");
  cmd->add_flag("--quiet", args->quiet, "No progress lines");
  cmd->add_flag("--no-eval", args->no_eval,
                "Do not evaluate finished runs (by default each complete run gets <output>/<run>/metrics.json from "
                "the spec's 'evaluation')");
  cmd->callback([args, max_images] {
    args->max_images_given = max_images->count() > 0;
    run_run(*args);
  });
}

}  // namespace egsde::cli
