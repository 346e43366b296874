#include "report/report.h"

#include <algorithm>

#include "core/atomic_write.h"
#include "core/error.h"
#include "core/provenance.h"
#include "report/html_report.h"
#include "report/image_browser.h"
#include "report/sample_grid.h"
#include "report/significance.h"
#include "report/svg_plot.h"
#include "runner/plan.h"
#include "runner/records.h"
#include "runner/spec.h"

namespace egsde::report {
namespace fs = std::filesystem;

namespace {

std::string join(const std::set<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out.empty() ? "unknown (no run records)" : out;
}

// Repeat 0 of each method's default grid point (the first grid point when the spec's own
// setting is not on the grid), in the paper's column order.
std::vector<const RunResult*> sample_runs(const std::vector<RunResult>& runs) {
  std::vector<const RunResult*> out;
  for (const runner::Method m : {runner::Method::Sdedit, runner::Method::Ilvr, runner::Method::Egsde,
                                 runner::Method::EgsdeDagger}) {
    const RunResult* pick = nullptr;
    for (const auto& r : runs)
      if (r.method == m && r.repeat == 0 && (!pick || (r.is_default && !pick->is_default))) pick = &r;
    if (pick) out.push_back(pick);
  }
  return out;
}

// None of the spec's runs is under `root`: where they were expected, and what `root` holds
// (`strays`: folders this spec ran that it no longer expands to).
std::string none_found(const std::vector<RunResult>& runs, const std::vector<std::string>& strays, const fs::path& root,
                       const std::string& spec_name, const fs::path& spec_file) {
  std::size_t others = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(root, ec))
    if (e.is_directory(ec) && (fs::exists(e.path() / "run.json", ec) || fs::exists(e.path() / "metrics.json", ec))) ++others;
  return "none of the " + std::to_string(runs.size()) + " runs of spec " + spec_name + " is under " +
         root.string() + " (expected " + (root / runs.front().id).string() + " for " + runs.front().label +
         ", and so on; " + (others == 1 ? "the 1 run folder there is of another spec or an earlier version of this one"
                    : others   ? "the " + std::to_string(others) +
                                   " run folders there are of another spec or an earlier version of this one"
                               : "it holds no runs") +
         (strays.empty() ? std::string()
                         : "; " + std::to_string(strays.size()) + " of them were run by spec " + spec_name +
                               " as it was then (edited since?)") +
         "); pass --runs with the --output of `egsde run " + spec_file.string() + "`, or run it first";
}

}  // namespace

ReportResult write_report(const ReportOptions& o) {
  const runner::Spec spec = runner::read_spec(o.spec);
  const fs::path runs_root = o.runs.empty() ? fs::path("runs") / spec.name : o.runs;
  const fs::path out = o.output.empty() ? fs::path("results") / spec.name : o.output;
  std::error_code ec;
  if (!fs::is_directory(runs_root, ec))
    throw Error("runs directory " + runs_root.string() + " does not exist; pass --runs (the --output of `egsde run " +
                o.spec.string() + "`)");

  const fs::path files[] = {out / "table.md", out / "table.csv", out / "table.tex", out / "tradeoff.svg",
                            out / "samples.png", out / "index.html", out / "table_diff.csv"};
  if (!o.overwrite)
    for (const auto& f : files)
      if ((o.html || f.filename() != "index.html") && fs::exists(f, ec))
        throw Error(f.string() + " already exists; pass --overwrite to replace the tables, or --output another directory");

  ReportResult result;
  const SpecRuns spec_runs = runs_from_spec(spec, runs_root);
  const std::vector<RunResult>& runs = spec_runs.runs;
  result.runs_root = runs_root;
  result.runs = runs.size();
  for (const auto& r : runs)
    if (!r.found) result.missing.push_back(r.id + " (" + r.label + ")");
  if (!runs.empty() && result.missing.size() == runs.size())
    throw Error(none_found(runs, spec_runs.strays, runs_root, spec.name, o.spec));
  Table& t = result.table;
  t.agg = aggregate(runs);
  t.comparisons = compare_methods(runs, runs_root, t.agg.metrics, t.seed, t.resamples);
  t.title = "egsde results: " + spec.name;

  fs::path reference = o.reference;
  if (reference.empty() && !o.no_reference && fs::is_regular_file(o.spec.parent_path() / "reference.json", ec))
    reference = o.spec.parent_path() / "reference.json";
  const std::string task = spec.evaluation ? metrics::to_string(spec.evaluation->task) : spec.name;
  if (!reference.empty() && !o.no_reference) {
    const PaperReference ref = PaperReference::read(reference);
    const auto tasks = ref.tasks();
    if (std::find(tasks.begin(), tasks.end(), task) == tasks.end()) {
      std::string have;
      for (const auto& k : tasks) have += (have.empty() ? "" : ", ") + k;
      const std::string what = reference.string() + " has no task '" + task + "' (it has " + have + ")";
      // An explicit --reference is meant for this spec; the default one beside it may not cover every task.
      if (!o.reference.empty()) throw Error(what + "; pass the reference of this task, or --no-reference");
      result.notes.push_back(what + ": no paper values shown");
    } else {
      attach_reference(t.agg, ref, task);
      t.reference = reference.string() + " (" + task + ")";
    }
  }

  const nlohmann::json prov = provenance();
  t.provenance = {{"spec", spec.name},
                  {"spec file", o.spec.string()},
                  {"runs", runs_root.string() + " (" + std::to_string(t.agg.runs_with_metrics) + " of " +
                               std::to_string(t.agg.runs) + " runs with metrics.json)"},
                  {"reference", t.reference.empty() ? "none" : t.reference},
                  {"commit", prov.value("commit", "unknown")},
                  {"command", o.command},
                  {"date", runner::utc_now()},
                  {"versions", "egsde " + prov.value("egsde", "?") + ", libtorch " + prov.value("libtorch", "?") +
                                   ", opencv " + prov.value("opencv", "?")},
                  {"devices", join(t.agg.devices)},
                  {"protocol", t.agg.protocols.empty() ? std::string("not recorded")
                                                       : join(t.agg.protocols) + (t.agg.protocols.size() > 1
                                                                                      ? " (MIXED: runs were evaluated differently)"
                                                                                      : "")}};

  fs::create_directories(out, ec);
  if (ec) throw Error("cannot create " + out.string() + ": " + ec.message() + "; choose a writable --output");
  write_file_atomic(files[0], render_markdown(t));
  write_file_atomic(files[1], render_csv(t));
  write_file_atomic(files[2], render_tex(t));
  const std::string svg = tradeoff_svg(t.agg, spec.name);
  write_file_atomic(files[3], svg);
  result.written.assign(files, files + 4);
  if (!t.comparisons.empty()) {
    write_file_atomic(files[6], render_diff_csv(t));
    result.written.push_back(files[6]);
  }

  const nlohmann::json& testdata = spec.profile["args"]["testdata_path"];
  const fs::path source =
      testdata.is_string() ? (spec.profile_dir / testdata.get<std::string>()).lexically_normal() : fs::path();
  const runner::ImageList list = runner::list_images(source);
  if (o.samples > 0) {
    if (!list.found || list.names.empty()) {
      result.notes.push_back("samples.png not written: source folder " + source.string() + " has no images");
    } else {
      SampleGrid grid;
      grid.cell = o.cell;
      grid.names.assign(list.names.begin(),
                        list.names.begin() + std::min<std::size_t>(list.names.size(), static_cast<std::size_t>(o.samples)));
      grid.columns.push_back({"source", source, {list.paths.begin(), list.paths.begin() + static_cast<std::ptrdiff_t>(grid.names.size())}});
      for (const RunResult* r : sample_runs(runs))
        grid.columns.push_back({r->method == runner::Method::EgsdeDagger ? "EGSDE-dagger" : method_title(r->method),
                                runs_root / r->id / "images", {}});
      const std::size_t missing = write_sample_grid(grid, files[4]);
      result.written.push_back(files[4]);
      if (missing)
        result.notes.push_back("samples.png: " + std::to_string(missing) + " cells have no image yet (grey)");
    }
  }
  if (o.html) {
    HtmlPage page;
    page.table = &t;
    page.tradeoff_svg = svg;
    if (std::find(result.written.begin(), result.written.end(), files[4]) != result.written.end())
      page.samples_uri = file_data_uri(files[4], "image/png");
    page.browser = collect_image_browser(sample_runs(runs), runs_root, list.names, list.paths, o.thumb, page.notes);
    page.runs = run_provenance(runs, runs_root);
    write_file_atomic(files[5], render_html(page));
    result.written.push_back(files[5]);
    result.notes.insert(result.notes.end(), page.notes.begin(), page.notes.end());
  }
  for (const auto& r : runs) result.notes.insert(result.notes.end(), r.notes.begin(), r.notes.end());
  result.notes.insert(result.notes.end(), spec_runs.notes.begin(), spec_runs.notes.end());
  const std::size_t without = t.agg.runs - t.agg.runs_with_metrics - result.missing.size();
  if (without)
    result.notes.push_back(std::to_string(without) + " of " + std::to_string(t.agg.runs) +
                           " runs have no metrics.json (shown as \u2014); run and evaluate them first");
  if (!result.missing.empty()) {
    std::string list;
    for (const auto& m : result.missing) list += (list.empty() ? "" : ", ") + m;
    result.notes.push_back(std::to_string(runs.size() - result.missing.size()) + " of " + std::to_string(runs.size()) +
                           " runs found under " + runs_root.string() + " (shown as \u2014); missing: " + list);
  }
  return result;
}

}  // namespace egsde::report
