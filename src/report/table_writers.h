// The aggregated table in three formats, each with the same content: a cell per (method, grid
// point) and metric showing mean ± std over repeats, the paper's value and the delta beside it
// where the reference has one, "—" and a count for missing values, a footer on the statistics
// and a provenance block.
//   table.md        GitHub markdown, plus "Differences between methods" (report/significance.h)
//   table.csv       one row per (method, grid point, metric), full precision ("#" lines =
//                   provenance); what `egsde check` reads and compares with a baseline
//   table_diff.csv  one row per (pair of methods, metric): Δ, 95% CI, test, n, full precision.
//                   A file of its own: table.csv's rows are (method, grid, metric) cells that
//                   check keys baselines by, and every row has the header's columns
//   table.tex       a booktabs tabular (provenance as % comments): the paper's table alone
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "report/aggregate.h"
#include "report/significance.h"

namespace egsde::report {

struct Table {
  std::string title;                                            // "cat2dog (experiments/paper/cat2dog.json)"
  Aggregate agg;
  std::string reference;                                        // "" = no paper values
  std::vector<std::pair<std::string, std::string>> provenance;  // ordered key: value lines
  std::vector<Comparison> comparisons;                          // compare_methods(); none: no section
  int resamples = 10000;                                        // of the paired bootstrap (footer)
  uint64_t seed = 0;
};

std::string render_markdown(const Table& t);
std::string render_csv(const Table& t);
std::string render_tex(const Table& t);
std::string render_diff_csv(const Table& t);

// Number with a fixed count of decimals; "—" for NaN.
std::string format_number(double v, int precision);
// "66.10 ± 0.50"; "66.10" when n = 1; "—" when n = 0.
std::string format_stat(const Stat& s, int precision, const std::string& pm = " \u00b1 ");

// The CSV columns, shared with the reader in check.cpp.
const std::vector<std::string>& csv_columns();
const std::vector<std::string>& diff_csv_columns();

}  // namespace egsde::report
