#include "report/table_writers.h"

#include <cmath>
#include <cstdio>
#include <sstream>

namespace egsde::report {
namespace {

constexpr const char* kDash = "\u2014";

bool any_grid(const Aggregate& agg) {
  for (const auto& g : agg.groups)
    if (!g.grid.empty()) return true;
  return false;
}

std::string signed_number(double v, int precision) {
  std::string s = format_number(v, precision);
  if (s[0] == '-' && s.find_first_not_of("-0.") == std::string::npos) s.erase(0, 1);  // "-0.000" → "+0.000"
  return s[0] == '-' ? s : "+" + s;
}

std::string full_precision(double v) {
  if (!std::isfinite(v)) return "";
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.10g", v);
  return buf;
}

std::string tex_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '_' || c == '%' || c == '&' || c == '#' || c == '$' || c == '{' || c == '}') out += '\\';
    out += c;
  }
  return out;
}

std::string footer_text(const Table& t, bool tex) {
  const std::string pm = tex ? "$\\pm$" : "\u00b1";
  std::string s = "mean " + pm + " sample std (ddof = 1) over the repeats that have a value; n = runs with metrics / runs; " +
                  std::string(tex ? "---" : kDash) + (tex ? " = no value ($n < 2$: no std), ``k missing'' = runs of the cell without it."
                                                             : " = no value (n < 2: no std), \"k missing\" = runs of the cell without it.");
  if (!t.reference.empty())
    s += " Paper values from " + (tex ? tex_escape(t.reference) : t.reference) + " beside the spec's own setting; " + (tex ? "$\\Delta$" : "\u0394") +
         " = this run " + (tex ? "$-$" : "\u2212") + " paper.";
  const std::size_t missing = t.agg.runs - t.agg.runs_with_metrics;
  if (missing) s += " " + std::to_string(missing) + " of " + std::to_string(t.agg.runs) + " runs have no metrics.json.";
  return s;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string arrow(const MetricInfo& m, bool tex) {
  if (tex) return m.better == Better::Lower ? "$\\downarrow$" : "$\\uparrow$";
  return m.better == Better::Lower ? " \u2193" : " \u2191";
}

std::string pair_title(const Comparison& c) { return method_title(c.a) + " \u2212 " + method_title(c.b); }

// "✓ significant: EGSDE better", "not significant", or the note alone when there is no interval.
std::string verdict(const Comparison& c) {
  std::string v;
  if (const auto better = better_method(c)) v = "\u2713 significant: " + method_title(*better) + " better";
  else if (std::isfinite(c.lo)) v = "not significant";
  if (!c.note.empty()) v += (v.empty() ? "" : " (") + c.note + (v.empty() ? "" : ")");
  return v;
}

void markdown_differences(const Table& t, std::ostringstream& o) {
  o << "## Differences between methods\n\n";
  o << "| A \u2212 B | Metric | \u0394 | 95% CI | Test | n | |\n|---|---|---|---|---|---|---|\n";
  for (const Comparison& c : t.comparisons) {
    const MetricInfo info = metric_info(c.metric);
    const bool paired = c.test == kPairedBootstrap;
    o << "| " << pair_title(c) << " | " << info.title << arrow(info, false) << " | "
      << (std::isfinite(c.diff) ? signed_number(c.diff, info.precision) : kDash) << " | ";
    if (std::isfinite(c.lo))
      o << "[" << format_number(c.lo, info.precision) << ", " << format_number(c.hi, info.precision) << "]";
    else
      o << kDash;
    o << " | " << c.test;
    if (std::isfinite(c.df)) o << ", df " << format_number(c.df, 1);
    o << " | ";
    if (paired) o << c.n << " images (" << c.n_a << " + " << c.n_b << " repeats)";
    else o << c.n_a << " + " << c.n_b << " repeats";
    std::string v = verdict(c);
    for (std::size_t at = v.find('|'); at != std::string::npos; at = v.find('|', at + 2)) v.insert(at, "\\");
    o << " | " << v << " |\n";
  }
  o << "\n\u0394 = A \u2212 B at each method's spec setting (\u2193: lower is better, \u2191: higher). 95% CI: "
       "L2, MSE, PSNR and SSIM paired by source image (each image's value averaged over a method's repeats; "
       "percentile bootstrap of the mean difference over images, "
    << t.resamples << " resamples, seed " << t.seed
    << "); set metrics (FID, FD, KID, accuracy) over repeats by Welch's t (unequal variances, "
       "Welch\u2013Satterthwaite df). \u2713 significant = the CI excludes 0. Also in table_diff.csv.\n\n";
}

// The differences as a second tabular (the same rows as markdown_differences).
void tex_differences(const Table& t, std::ostringstream& o) {
  o << "\n% differences between methods (table_diff.csv)\n\\begin{tabular}{llrcll}\n\\toprule\n"
       "$A - B$ & Metric & $\\Delta$ & 95\\% CI & Test & \\\\\n\\midrule\n";
  for (const Comparison& c : t.comparisons) {
    const MetricInfo info = metric_info(c.metric);
    o << tex_escape(method_title(c.a)) << " $-$ " << tex_escape(method_title(c.b)) << " & " << tex_escape(info.title)
      << arrow(info, true) << " & "
      << (std::isfinite(c.diff) ? "$" + signed_number(c.diff, info.precision) + "$" : std::string("---")) << " & ";
    if (std::isfinite(c.lo))
      o << "$[" << format_number(c.lo, info.precision) << ", " << format_number(c.hi, info.precision) << "]$";
    else
      o << "---";
    o << " & " << (c.test == kPairedBootstrap ? "paired bootstrap" : "Welch $t$") << " & ";
    if (const auto better = better_method(c)) o << "$\\checkmark$ " << tex_escape(method_title(*better));
    else if (std::isfinite(c.lo)) o << "n.s.";
    o << " \\\\\n";
  }
  o << "\\bottomrule\n\\multicolumn{6}{l}{\\parbox{\\linewidth}{\\footnotesize $\\checkmark$: the 95\\% CI excludes 0, "
       "the method named is better; n.s.: not significant. L2, MSE, PSNR, SSIM: percentile bootstrap over source "
       "images, paired ("
    << t.resamples << " resamples, seed " << t.seed
    << "); FID, FD, KID, accuracy: Welch's $t$ over repeats.}}\n\\end{tabular}\n";
}

}  // namespace

std::string format_number(double v, int precision) {
  if (!std::isfinite(v)) return kDash;
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", precision, v);
  return buf;
}

std::string format_stat(const Stat& s, int precision, const std::string& pm) {
  if (s.n == 0) return kDash;
  std::string out = format_number(s.mean, precision);
  if (s.n >= 2) out += pm + format_number(s.std, precision);
  return out;
}

const std::vector<std::string>& csv_columns() {
  static const std::vector<std::string> kColumns = {"method",   "grid",       "metric",    "n",     "runs",
                                                    "missing",  "mean",       "std",       "paper_mean",
                                                    "paper_std", "delta",     "default"};
  return kColumns;
}

std::string render_markdown(const Table& t) {
  const Aggregate& a = t.agg;
  const bool grid = any_grid(a);
  std::ostringstream o;
  o << "# " << t.title << "\n\n";
  o << "| Method |" << (grid ? " Grid |" : "") << " n |";
  for (const auto& m : a.metrics) {
    const MetricInfo info = metric_info(m);
    o << " " << info.title << arrow(info, false) << " |";
  }
  o << "\n|---|" << (grid ? "---|" : "") << "---|";
  for (std::size_t i = 0; i < a.metrics.size(); ++i) o << "---|";
  o << "\n";
  for (const auto& g : a.groups) {
    o << "| " << method_title(g.method) << " |";
    if (grid) o << " " << (g.grid.empty() ? kDash : grid_text(g.grid)) << (g.is_default ? " (spec)" : "") << " |";
    o << " " << g.with_metrics << "/" << g.run_ids.size() << " |";
    for (const auto& m : a.metrics) {
      const MetricInfo info = metric_info(m);
      const Stat& s = g.stats.at(m);
      o << " " << format_stat(s, info.precision);
      if (s.missing) o << " (" << s.missing << " missing)";
      const auto p = g.paper.find(m);
      if (p != g.paper.end()) {
        o << "<br><sub>paper " << format_number(p->second.mean, info.precision);
        if (p->second.std) o << " \u00b1 " << format_number(*p->second.std, info.precision);
        if (s.n) o << ", \u0394 " << signed_number(s.mean - p->second.mean, info.precision);
        o << "</sub>";
      }
      o << " |";
    }
    o << "\n";
  }
  o << "\n" << footer_text(t, false) << "\n\n";
  if (!t.comparisons.empty()) markdown_differences(t, o);
  o << "## Provenance\n\n";
  for (const auto& [k, v] : t.provenance) o << "- " << k << ": `" << v << "`\n";
  return o.str();
}

std::string render_csv(const Table& t) {
  std::ostringstream o;
  o << "# " << t.title << "\n";
  for (const auto& [k, v] : t.provenance) o << "# " << k << ": " << v << "\n";
  o << "# " << footer_text(t, false) << "\n";
  for (std::size_t i = 0; i < csv_columns().size(); ++i) o << (i ? "," : "") << csv_columns()[i];
  o << "\n";
  for (const auto& g : t.agg.groups) {
    for (const auto& m : t.agg.metrics) {
      const Stat& s = g.stats.at(m);
      const auto p = g.paper.find(m);
      const bool has_paper = p != g.paper.end();
      o << runner::to_string(g.method) << "," << csv_field(grid_text(g.grid)) << "," << csv_field(m) << "," << s.n << ","
        << g.run_ids.size() << "," << s.missing << "," << full_precision(s.mean) << "," << full_precision(s.std) << ","
        << (has_paper ? full_precision(p->second.mean) : "") << ","
        << (has_paper && p->second.std ? full_precision(*p->second.std) : "") << ","
        << (has_paper && s.n ? full_precision(s.mean - p->second.mean) : "") << "," << (g.is_default ? 1 : 0) << "\n";
    }
  }
  return o.str();
}

const std::vector<std::string>& diff_csv_columns() {
  static const std::vector<std::string> kColumns = {"a",   "b",   "metric", "diff", "lo",          "hi",     "n",
                                                    "n_a", "n_b", "df",     "test", "significant", "better", "note"};
  return kColumns;
}

std::string render_diff_csv(const Table& t) {
  std::ostringstream o;
  o << "# " << t.title << ": differences between methods (diff = a - b at each method's spec setting, 95% CI lo..hi)\n";
  for (const auto& [k, v] : t.provenance) o << "# " << k << ": " << v << "\n";
  o << "# paired bootstrap over images: " << t.resamples << " resamples, seed " << t.seed
    << "; n = images (paired) or repeats a + b (Welch); n_a, n_b = repeats of a and b\n";
  for (std::size_t i = 0; i < diff_csv_columns().size(); ++i) o << (i ? "," : "") << diff_csv_columns()[i];
  o << "\n";
  for (const Comparison& c : t.comparisons) {
    const auto better = better_method(c);
    o << runner::to_string(c.a) << "," << runner::to_string(c.b) << "," << csv_field(c.metric) << ","
      << full_precision(c.diff) << "," << full_precision(c.lo) << "," << full_precision(c.hi) << "," << c.n << ","
      << c.n_a << "," << c.n_b << "," << full_precision(c.df) << "," << csv_field(c.test) << ","
      << (c.significant ? 1 : 0) << "," << (better ? runner::to_string(*better) : "") << "," << csv_field(c.note)
      << "\n";
  }
  return o.str();
}

std::string render_tex(const Table& t) {
  const Aggregate& a = t.agg;
  const bool grid = any_grid(a);
  const std::size_t columns = 2 + (grid ? 1 : 0) + a.metrics.size();
  std::ostringstream o;
  o << "% " << t.title << " (generated by egsde table; needs \\usepackage{booktabs})\n";
  for (const auto& [k, v] : t.provenance) o << "% " << k << ": " << v << "\n";
  o << "\\begin{tabular}{l" << (grid ? "l" : "") << "r" << std::string(a.metrics.size(), 'c') << "}\n\\toprule\n";
  o << "Method" << (grid ? " & Grid" : "") << " & $n$";
  for (const auto& m : a.metrics) {
    const MetricInfo info = metric_info(m);
    o << " & " << tex_escape(info.title) << arrow(info, true);
  }
  o << " \\\\\n\\midrule\n";
  for (const auto& g : a.groups) {
    o << (g.method == runner::Method::EgsdeDagger ? std::string("EGSDE$^\\dagger$") : method_title(g.method));
    if (grid) o << " & " << (g.grid.empty() ? "---" : tex_escape(grid_text(g.grid))) << (g.is_default ? " (spec)" : "");
    o << " & " << g.with_metrics << "/" << g.run_ids.size();
    for (const auto& m : a.metrics) {
      const MetricInfo info = metric_info(m);
      const Stat& s = g.stats.at(m);
      o << " & " << (s.n ? "$" + format_stat(s, info.precision, " \\pm ") + "$" : std::string("---"));
      if (s.missing) o << " {\\scriptsize (" << s.missing << " missing)}";
      const auto p = g.paper.find(m);
      if (p != g.paper.end()) {
        o << " {\\scriptsize (" << format_number(p->second.mean, info.precision);
        if (s.n) o << "; $\\Delta$ $" << signed_number(s.mean - p->second.mean, info.precision) << "$";
        o << ")}";
      }
    }
    o << " \\\\\n";
  }
  o << "\\bottomrule\n\\multicolumn{" << columns << "}{l}{\\parbox{\\linewidth}{\\footnotesize " << footer_text(t, true)
    << " Parentheses: paper value.}}\n\\end{tabular}\n";
  if (!t.comparisons.empty()) tex_differences(t, o);
  return o.str();
}

}  // namespace egsde::report
