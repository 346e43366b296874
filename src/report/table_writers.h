// The aggregated table in three formats, each with the same content: a cell per (method, grid
// point) and metric showing mean ± std over repeats, the paper's value and the delta beside it
// where the reference has one, "—" and a count for missing values, a footer on the statistics
// and a provenance block.
//   table.md   GitHub markdown
//   table.csv  one row per (method, grid point, metric), full precision ("#" lines = provenance);
//              what `egsde check` reads
//   table.tex  a booktabs tabular (provenance as % comments)
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "report/aggregate.h"

namespace egsde::report {

struct Table {
  std::string title;                                            // "cat2dog (experiments/paper/cat2dog.json)"
  Aggregate agg;
  std::string reference;                                        // "" = no paper values
  std::vector<std::pair<std::string, std::string>> provenance;  // ordered key: value lines
};

std::string render_markdown(const Table& t);
std::string render_csv(const Table& t);
std::string render_tex(const Table& t);

// Number with a fixed count of decimals; "—" for NaN.
std::string format_number(double v, int precision);
// "66.10 ± 0.50"; "66.10" when n = 1; "—" when n = 0.
std::string format_stat(const Stat& s, int precision, const std::string& pm = " \u00b1 ");

// The CSV columns, shared with the reader in check.cpp.
const std::vector<std::string>& csv_columns();

}  // namespace egsde::report
