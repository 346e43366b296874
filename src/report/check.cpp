#include "report/check.h"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <limits>
#include <set>

#include "core/error.h"
#include "core/json_io.h"
#include "core/provenance.h"
#include "core/suggest.h"
#include "report/table_writers.h"
#include "runner/records.h"

namespace egsde::report {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') fields.back() += '"', ++i;
      else if (c == '"') quoted = false;
      else fields.back() += c;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else if (c != '\r') {
      fields.back() += c;
    }
  }
  return fields;
}

std::string key(const ResultRow& r) { return r.method + "\x1f" + r.grid + "\x1f" + r.metric; }

std::string fmt(double v) {
  if (!std::isfinite(v)) return "\u2014";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.6g", v);
  return buf;
}

}  // namespace

std::vector<ResultRow> read_table_csv(const fs::path& file) {
  std::ifstream in(file);
  if (!in) throw Error("cannot read " + file.string() + "; pass a table.csv written by `egsde table`, or a runs directory");
  std::string line;
  std::vector<std::string> header;
  std::map<std::string, std::size_t> col;
  std::vector<ResultRow> rows;
  std::size_t lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.empty() || line[0] == '#') continue;
    const auto f = split_csv_line(line);
    if (header.empty()) {
      header = f;
      for (std::size_t i = 0; i < f.size(); ++i) col[f[i]] = i;
      for (const char* need : {"method", "grid", "metric", "mean", "n"})
        if (!col.count(need))
          throw Error(file.string() + " has no '" + need + "' column; it is not a table.csv of `egsde table`");
      continue;
    }
    if (f.size() != header.size())
      throw Error(file.string() + ":" + std::to_string(lineno) + ": " + std::to_string(f.size()) + " fields, expected " +
                  std::to_string(header.size()) + "; regenerate it with `egsde table --overwrite`");
    ResultRow r;
    r.method = f[col["method"]];
    r.grid = f[col["grid"]];
    r.metric = f[col["metric"]];
    try {
      r.mean = f[col["mean"]].empty() ? kNaN : std::stod(f[col["mean"]]);
      r.n = f[col["n"]].empty() ? 0 : std::stoul(f[col["n"]]);
    } catch (const std::exception&) {
      throw Error(file.string() + ":" + std::to_string(lineno) + ": '" + f[col["mean"]] + "' is not a number");
    }
    rows.push_back(std::move(r));
  }
  if (header.empty()) throw Error(file.string() + " is empty; regenerate it with `egsde table`");
  return rows;
}

std::vector<ResultRow> rows_from_aggregate(const Aggregate& agg) {
  std::vector<ResultRow> rows;
  for (const auto& g : agg.groups)
    for (const auto& m : agg.metrics) {
      const Stat& s = g.stats.at(m);
      rows.push_back({runner::to_string(g.method), grid_text(g.grid), m, s.n ? s.mean : kNaN, s.n});
    }
  return rows;
}

std::vector<ResultRow> load_results(const fs::path& results) {
  std::error_code ec;
  if (fs::is_regular_file(results, ec)) return read_table_csv(results);
  if (fs::is_regular_file(results / "table.csv", ec)) return read_table_csv(results / "table.csv");
  if (fs::is_directory(results, ec)) return rows_from_aggregate(aggregate(runs_from_dir(results)));
  throw Error(results.string() + " does not exist; pass a table.csv, a results directory or a runs directory");
}

const std::map<std::string, double>& default_tolerances() {
  static const std::map<std::string, double> kTol = {{"fid", 0.5},    {"kid", 0.001}, {"fd", 0.5},
                                                     {"l2", 0.1},     {"mse", 1e-4},  {"psnr", 0.05},
                                                     {"ssim", 0.002}, {"ms_ssim", 0.002}, {"accuracy", 0.005}};
  return kTol;
}

std::map<std::string, double> parse_tolerances(const std::string& text) {
  std::map<std::string, double> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = text.find(',', start);
    const std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!item.empty()) {
      const std::size_t eq = item.find('=');
      double v = -1;
      try {
        if (eq != std::string::npos && eq > 0) {
          std::size_t used = 0;
          v = std::stod(item.substr(eq + 1), &used);
          if (used != item.size() - eq - 1) v = -1;
        }
      } catch (const std::exception&) {
        v = -1;
      }
      if (!(v >= 0))
        throw Error("--tol '" + item + "' is not metric=value with a value >= 0; e.g. --tol fid=0.5,ssim=0.002");
      out[item.substr(0, eq)] = v;
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

Baseline read_baseline(const fs::path& file) {
  const std::string regenerate = "regenerate it with `egsde check RESULTS --baseline " + file.string() +
                                 " --write-baseline --overwrite`";
  std::error_code ec;
  if (!fs::is_regular_file(file, ec))
    throw Error("baseline " + file.string() + " does not exist; create it with `egsde check RESULTS --baseline " +
                file.string() + " --write-baseline`");
  const json j = read_json_file(file, regenerate);
  const auto bad = [&](const std::string& what) { return Error("baseline " + file.string() + ": " + what + "; " + regenerate); };
  if (!j.is_object()) throw bad("not a JSON object with \"rows\"");
  if (!j.contains("rows")) throw bad("no \"rows\"");
  if (!j["rows"].is_array()) throw bad("\"rows\" is not an array");
  Baseline b;
  b.name = j.value("name", file.stem().string());
  if (j.contains("tolerances")) {
    if (!j["tolerances"].is_object()) throw bad("\"tolerances\" is not an object");
    for (const auto& [k, v] : j["tolerances"].items()) {
      if (!v.is_number() || v.get<double>() < 0) throw bad("tolerance of '" + k + "' is not a number >= 0");
      b.tolerances[k] = v.get<double>();
    }
  }
  std::size_t index = 0;
  for (const auto& r : j["rows"]) {
    const std::string row = "row " + std::to_string(++index);
    if (!r.is_object()) throw bad(row + " is not an object: " + r.dump());
    const auto text = [&](const char* k) { return r.contains(k) && r[k].is_string() ? r[k].get<std::string>() : ""; };
    std::string cell;  // "egsde args.ls=500 fid", what the row names
    for (const char* k : {"method", "grid", "metric"})
      if (!text(k).empty()) cell += (cell.empty() ? "" : " ") + text(k);
    const std::string what = row + (cell.empty() ? "" : " (" + cell + ")");
    for (const char* k : {"method", "metric"})
      if (text(k).empty()) throw bad(what + " has no string \"" + std::string(k) + "\"");
    if (r.contains("grid") && !r["grid"].is_string()) throw bad(what + ": \"grid\" is not a string");
    if (!r.contains("mean") || !r["mean"].is_number()) throw bad(what + " has no numeric \"mean\"");
    if (!r.contains("n") || !r["n"].is_number_unsigned() || r["n"].get<std::size_t>() == 0)
      throw bad(what + " has no \"n\" (the number of repeats, >= 1)");
    b.rows.push_back({text("method"), text("grid"), text("metric"), r["mean"].get<double>(), r["n"].get<std::size_t>()});
  }
  if (b.rows.empty()) throw Error("baseline " + file.string() + " has no cells; " + regenerate);
  for (const auto& k : {"created", "source", "provenance"})
    if (j.contains(k)) b.meta[k] = j[k];
  return b;
}

void check_tolerance_names(const std::map<std::string, double>& tol, const std::vector<ResultRow>& rows,
                           const std::string& where) {
  std::set<std::string> metrics;
  for (const auto& r : rows) metrics.insert(r.metric);
  const std::vector<std::string> names(metrics.begin(), metrics.end());
  std::string list;
  for (const auto& m : names) list += (list.empty() ? "" : ", ") + m;
  for (const auto& [name, value] : tol)
    if (!metrics.count(name))
      throw Error("--tol " + name + "=" + fmt(value) + ": " + where + " has no metric '" + name + "'" +
                  (names.empty() ? "" : "; did you mean '" + nearest(name, names) + "'? (its metrics: " + list + ")"));
}

void write_baseline(const fs::path& file, const std::vector<ResultRow>& rows, const std::map<std::string, double>& tol,
                    const std::string& source, bool overwrite) {
  std::error_code ec;
  if (fs::exists(file, ec) && !overwrite)
    throw Error("baseline " + file.string() + " already exists; pass --overwrite to replace it");
  std::vector<ResultRow> valued;
  for (const auto& r : rows)
    if (std::isfinite(r.mean)) valued.push_back(r);
  check_tolerance_names(tol, valued, source);
  json out_rows = json::array();
  json tolerances = json::object();
  for (const auto& r : rows) {
    if (!std::isfinite(r.mean)) continue;
    out_rows.push_back({{"method", r.method}, {"grid", r.grid}, {"metric", r.metric}, {"mean", r.mean}, {"n", r.n}});
    const auto t = tol.find(r.metric);
    const auto d = default_tolerances().find(r.metric);
    tolerances[r.metric] = t != tol.end() ? t->second : d != default_tolerances().end() ? d->second : 0.0;
  }
  for (const auto& [k, v] : tol) tolerances[k] = v;
  if (out_rows.empty()) throw Error(source + " has no values to record; evaluate the runs first");
  if (file.has_parent_path()) fs::create_directories(file.parent_path(), ec);
  write_json_file(file, {{"name", file.stem().string()},
                         {"created", runner::utc_now()},
                         {"source", source},
                         {"provenance", provenance()},
                         {"tolerances", tolerances},
                         {"rows", out_rows}});
}

CheckResult check(const Baseline& baseline, const std::vector<ResultRow>& results,
                  const std::map<std::string, double>& tol) {
  check_tolerance_names(tol, baseline.rows, "baseline " + baseline.name);
  std::map<std::string, const ResultRow*> now;
  for (const auto& r : results) now[key(r)] = &r;
  CheckResult out;
  std::set<std::string> seen;
  for (const auto& old : baseline.rows) {
    seen.insert(key(old));
    double t = 0;
    if (auto it = tol.find(old.metric); it != tol.end()) t = it->second;
    else if (auto bt = baseline.tolerances.find(old.metric); bt != baseline.tolerances.end()) t = bt->second;
    else if (auto dt = default_tolerances().find(old.metric); dt != default_tolerances().end()) t = dt->second;
    ++out.compared;
    const auto it = now.find(key(old));
    if (it == now.end() || !std::isfinite(it->second->mean)) {
      out.moved.push_back({old, std::nullopt, 0, t});
      continue;
    }
    const ResultRow& r = *it->second;
    // Another number of repeats is another cell, even at the same mean (a lost or extra run).
    if (std::abs(r.mean - old.mean) > t || r.n != old.n) out.moved.push_back({old, r.mean, r.n, t});
  }
  for (const auto& r : results)
    if (std::isfinite(r.mean) && !seen.count(key(r))) ++out.added;
  return out;
}

void print_check(const CheckResult& r, const std::string& baseline_name, std::ostream& out) {
  const std::string extra = r.added ? ", " + std::to_string(r.added) + " new cells not in the baseline" : "";
  if (r.ok()) {
    out << "egsde check: OK: " << r.compared << " cells within tolerance of baseline " << baseline_name
        << " (same n)" << extra << "\n";
    return;
  }
  if (r.compared == 0) {
    out << "egsde check: FAILED: baseline " << baseline_name << " has no cells to compare" << extra << "\n";
    return;
  }
  std::size_t moved = 0, missing = 0, other_n = 0;
  for (const auto& m : r.moved) {
    if (!m.now) ++missing;
    else if (std::abs(*m.now - m.old.mean) > m.tol) ++moved;
    if (m.now && m.n_now != m.old.n) ++other_n;
  }
  std::string why;
  const auto part = [&](std::size_t k, const std::string& what) {
    if (k) why += (why.empty() ? "" : ", ") + std::to_string(k) + " " + what;
  };
  part(moved, "moved beyond tolerance");
  part(missing, "missing");
  part(other_n, "with another n");
  out << "egsde check: " << r.moved.size() << " of " << r.compared << " cells differ from baseline " << baseline_name
      << " (" << why << ")" << extra << "\n";
  out << std::left << std::setw(14) << "method" << std::setw(24) << "grid" << std::setw(10) << "metric" << std::right
      << std::setw(12) << "old" << std::setw(12) << "new" << std::setw(12) << "delta" << std::setw(10) << "tol"
      << std::setw(8) << "n" << "\n";
  for (const auto& m : r.moved) {
    const std::string n = m.now && m.n_now == m.old.n ? std::to_string(m.old.n)
                                                        : std::to_string(m.old.n) + "\u2192" + std::to_string(m.n_now);
    out << std::left << std::setw(14) << m.old.method << std::setw(24) << (m.old.grid.empty() ? "-" : m.old.grid)
        << std::setw(10) << m.old.metric << std::right << std::setw(12) << fmt(m.old.mean) << std::setw(12)
        << (m.now ? fmt(*m.now) : "missing") << std::setw(12) << (m.now ? fmt(*m.now - m.old.mean) : "-")
        << std::setw(10) << fmt(m.tol) << std::setw(n.find("\u2192") == std::string::npos ? 8 : 10) << n << "\n";
  }
}

}  // namespace egsde::report
