// `egsde table SPEC`: the spec's runs, as their records say they ran (run.json, metrics.json),
// aggregated over repeats into table.md / table.csv / table.tex beside the paper's values,
// tradeoff.svg and samples.png. `egsde report SPEC`: the same files and index.html, one
// self-contained page with all of it and a per-image browser (report/html_report.h).
#include <fstream>
#include <iostream>
#include <iterator>

#include "cli/commands.h"
#include "core/error.h"
#include "report/report.h"

namespace egsde::cli {

namespace {

void register_results(CLI::App& app, const std::string& name, const std::string& description, bool html) {
  auto o = std::make_shared<report::ReportOptions>();
  o->html = html;
  auto spec = std::make_shared<std::string>();
  auto runs = std::make_shared<std::string>();
  auto output = std::make_shared<std::string>();
  auto reference = std::make_shared<std::string>();
  auto partial = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand(name, description);
  cmd->add_option("spec", *spec, "Experiment spec (experiments/*.json)")->required();
  cmd->add_option("--runs", *runs,
                  "Output root of `egsde run` (default runs/<spec name>); each run's row is what its run.json "
                  "recorded when it ran, the spec only says which runs to expect");
  cmd->add_option("--output", *output, "Where the tables go (default results/<spec name>)");
  cmd->add_option("--reference", *reference, "Paper values (default: reference.json beside the spec, if any)");
  cmd->add_flag("--no-reference", o->no_reference, "Show no paper values");
  cmd->add_option("--samples", o->samples, "Rows of samples.png (first K source images; 0 = none)")
      ->check(CLI::NonNegativeNumber)->capture_default_str();
  cmd->add_option("--cell", o->cell, "Cell size of samples.png in pixels")->check(CLI::Range(16, 1024))->capture_default_str();
  if (html)
    cmd->add_option("--thumb", o->thumb, "Thumbnail size of index.html's image browser in pixels (images are embedded)")
        ->check(CLI::Range(16, 512))->capture_default_str();
  cmd->add_flag("--overwrite", o->overwrite, "Replace existing tables in --output");
  cmd->add_flag("--partial", *partial,
                "Accept runs missing from --runs (exit 0). Without it: none found is an error and nothing is written; "
                "some missing: the tables are written (missing runs as \u2014), the missing runs listed, exit 1. "
                "Runs found without metrics.json are a note either way");
  cmd->callback([=] {
    o->spec = *spec;
    o->runs = *runs;
    o->output = *output;
    o->reference = *reference;
    o->command = command_line();
    const report::ReportResult r = report::write_report(*o);
    for (const auto& f : r.written) std::cout << "wrote " << f.string() << "\n";
    if (html) std::cout << "report: file://" << std::filesystem::absolute(r.written.back()).lexically_normal().string() << "\n";
    for (const auto& n : r.notes) std::cout << "note: " << n << "\n";
    if (!r.missing.empty() && !*partial)
      throw Error("incomplete: " + std::to_string(r.runs - r.missing.size()) + " of " + std::to_string(r.runs) +
                  " runs of the spec found (listed above); run the missing ones (`egsde run " + *spec + " --output " +
                  r.runs_root.string() + " --resume`) or pass --partial to accept incomplete tables");
  });
}

}  // namespace

void register_table(CLI::App& app) {
  register_results(app, "table", "Aggregate a spec's evaluated runs into tables (md, csv, tex), a trade-off plot and a sample grid",
                   false);
}

void register_report(CLI::App& app) {
  register_results(app, "report",
                   "Write what `table` writes plus index.html: one self-contained page (table, trade-off plot, samples, "
                   "a sortable per-image browser, each run's provenance) that opens offline",
                   true);
}

}  // namespace egsde::cli
