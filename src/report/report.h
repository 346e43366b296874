// `egsde table` / `egsde report`: the spec's runs under an output root, as their records say they
// ran (see report/aggregate.h runs_from_spec) → DIR/table.{md,csv,tex}, tradeoff.svg, samples.png
// and (report) index.html, every file written atomically.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "report/table_writers.h"

namespace egsde::report {

struct ReportOptions {
  std::filesystem::path spec;
  std::filesystem::path runs;       // default runs/<spec name>
  std::filesystem::path output;     // default results/<spec name>
  std::filesystem::path reference;  // default: reference.json beside the spec, when it exists
  bool no_reference = false;
  int samples = 4;                  // sample grid rows (0: no samples.png)
  int cell = 128;                   // sample grid cell size
  bool overwrite = false;
  bool html = false;                // also index.html (egsde report; report/html_report.h)
  int thumb = 64;                   // index.html thumbnail size
  std::string command;              // the command line, for the provenance block
};

struct ReportResult {
  Table table;
  std::vector<std::filesystem::path> written;
  std::vector<std::string> notes;   // what could not be produced, and why
  std::filesystem::path runs_root;  // where the runs were read
  std::size_t runs = 0;             // runs the spec expands to
  std::vector<std::string> missing; // "ID (label)" of those not under the runs root (tables show —)
};

// Throws egsde::Error before writing anything when none of the spec's runs is under the runs
// root (another spec's runs, a wrong --runs); some missing: written, listed in `missing`.
ReportResult write_report(const ReportOptions& options);

}  // namespace egsde::report
