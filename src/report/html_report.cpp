#include "report/html_report.h"

#include <cmath>
#include <sstream>

#include "report/html_assets.h"
#include "report/significance.h"

namespace egsde::report {
namespace {

using nlohmann::json;

// JSON inside <script>: "</" would end the element early.
std::string script_json(const json& j) {
  std::string s = j.dump();
  for (std::size_t p = s.find("</"); p != std::string::npos; p = s.find("</", p + 2)) s.replace(p, 2, "<\\/");
  return s;
}

std::string delta_text(double v, int precision) {
  const std::string s = format_number(v, precision);
  return (v >= 0 ? "+" : "") + s;
}

void results_table(std::ostringstream& o, const Table& t) {
  const Aggregate& a = t.agg;
  bool grid = false;
  for (const auto& g : a.groups) grid = grid || !g.grid.empty();
  o << "<table id=\"results\"><thead><tr><th>Method</th>" << (grid ? "<th>Grid</th>" : "") << "<th>n</th>";
  for (const auto& m : a.metrics) {
    const MetricInfo info = metric_info(m);
    o << "<th>" << html_escape(info.title) << (info.better == Better::Lower ? " \u2193" : " \u2191") << "</th>";
  }
  o << "</tr></thead><tbody>\n";
  for (const auto& g : a.groups) {
    o << "<tr><td>" << html_escape(method_title(g.method)) << "</td>";
    if (grid) o << "<td>" << html_escape(g.grid.empty() ? "\u2014" : grid_text(g.grid)) << (g.is_default ? " (spec)" : "") << "</td>";
    o << "<td class=\"num\">" << g.with_metrics << "/" << g.run_ids.size() << "</td>";
    for (const auto& m : a.metrics) {
      const MetricInfo info = metric_info(m);
      const Stat& s = g.stats.at(m);
      o << "<td class=\"num\">" << html_escape(format_stat(s, info.precision));
      if (s.missing) o << " <span class=\"note\">(" << s.missing << " missing)</span>";
      if (const auto p = g.paper.find(m); p != g.paper.end()) {
        o << "<span class=\"sub\">paper " << format_number(p->second.mean, info.precision);
        if (p->second.std) o << " \u00b1 " << format_number(*p->second.std, info.precision);
        if (s.n) o << ", \u0394 " << delta_text(s.mean - p->second.mean, info.precision);
        o << "</span>";
      }
      o << "</td>";
    }
    o << "</tr>\n";
  }
  o << "</tbody></table>\n<p class=\"sub\">mean \u00b1 sample std (ddof = 1) over the repeats that have a value; n = runs "
       "with metrics / runs; \u2014 = no value.</p>\n";
}

// Δ = a − b with its 95% CI per pair and metric (report/significance.h), the better method named
// when the interval excludes 0.
void differences_section(std::ostringstream& o, const Table& t) {
  o << "<h2 id=\"differences\">Differences between methods</h2>\n";
  if (t.comparisons.empty()) {
    o << "<p class=\"note\">no pair of methods to compare</p>\n";
    return;
  }
  o << "<table id=\"differences-table\"><thead><tr><th>a \u2212 b</th><th>metric</th><th>\u0394</th><th>95% CI</th>"
       "<th>n</th><th>test</th><th>verdict</th></tr></thead><tbody>\n";
  for (const auto& c : t.comparisons) {
    const MetricInfo info = metric_info(c.metric);
    o << "<tr><td>" << html_escape(method_title(c.a) + " \u2212 " + method_title(c.b)) << "</td><td>"
      << html_escape(info.title) << "</td><td class=\"num\">" << html_escape(std::isfinite(c.diff) ? delta_text(c.diff, info.precision) : "\u2014")
      << "</td><td class=\"num\">"
      << html_escape(std::isfinite(c.lo) ? "[" + format_number(c.lo, info.precision) + ", " + format_number(c.hi, info.precision) + "]"
                                         : "\u2014")
      << "</td><td class=\"num\">" << c.n << "</td><td>" << html_escape(c.test) << "</td><td>";
    if (const auto better = better_method(c)) o << "<span class=\"sig\">" << html_escape(method_title(*better)) << " better</span>";
    else if (std::isfinite(c.lo)) o << "<span class=\"ns\">not significant</span>";
    if (!c.note.empty()) o << " <span class=\"note\">" << html_escape(c.note) << "</span>";
    o << "</td></tr>\n";
  }
  o << "</tbody></table>\n<p class=\"sub\">paired bootstrap: " << t.resamples
    << " resamples of the per-image differences (each image averaged over the repeats), seed " << t.seed
    << "; Welch: t interval over the repeats (unequal variances).</p>\n";
}

void browser_section(std::ostringstream& o, const ImageBrowser& b) {
  o << "<h2 id=\"images\">Images</h2>\n";
  if (b.rows.empty()) {
    o << "<p class=\"note\">no source images to show</p>\n";
    return;
  }
  o << "<p>Every source with each method's translation (repeat 0 at the spec's own setting); per-image scores from "
       "each run's per_image.h5. The view is kept in the address (?sort=&amp;order=&amp;filter=&amp;min=&amp;max=&amp;"
       "name=&amp;page=&amp;size=).</p>\n<div class=\"controls\">"
       "<label>sort <select id=\"sort\"></select></label>"
       "<label><select id=\"order\"><option value=\"asc\">ascending</option><option value=\"desc\">descending</option>"
       "</select></label>"
       "<label>filter <select id=\"filter\"></select> from <input id=\"min\" type=\"number\" step=\"any\"> to "
       "<input id=\"max\" type=\"number\" step=\"any\"></label>"
       "<label>name contains <input id=\"name\" type=\"text\"></label>"
       "<button id=\"prev\" type=\"button\">\u2190 previous</button> <button id=\"next\" type=\"button\">next "
       "\u2192</button> <span id=\"page-info\"></span></div>\n";
  o << "<table id=\"browser\"><thead><tr><th>Source</th>";
  for (const auto& c : b.columns) o << "<th title=\"run " << html_escape(c.run_id) << "\">" << html_escape(c.title) << "</th>";
  o << "</tr></thead><tbody id=\"browser-rows\"></tbody></table>\n";
}

json browser_json(const ImageBrowser& b) {
  json cols = json::array(), rows = json::array();
  for (const auto& c : b.columns) cols.push_back({{"key", c.key}, {"title", c.title}, {"run", c.run_id}});
  for (const auto& r : b.rows) {
    json cells = json::array();
    for (const auto& c : r.cells) {
      json scores = json::object();
      for (const auto& [k, v] : c.scores)
        if (std::isfinite(v)) scores[k] = v;
      cells.push_back({{"image", c.image_uri}, {"scores", scores}});
    }
    rows.push_back({{"name", r.name}, {"source", r.source_uri}, {"cells", cells}});
  }
  return {{"columns", cols}, {"metrics", b.metrics}, {"rows", rows}};
}

void runs_section(std::ostringstream& o, const json& runs) {
  o << "<h2 id=\"runs\">Runs</h2>\n<table id=\"run-list\"><thead><tr><th>run</th><th>label</th><th>repeat</th>"
       "<th>images</th><th>devices</th><th>translated by</th><th>evaluated by</th></tr></thead><tbody>\n";
  for (const auto& r : runs) {
    const auto text = [&r](const char* k) { return r.contains(k) && r[k].is_string() ? r[k].get<std::string>() : std::string("\u2014"); };
    o << "<tr><td><code>" << html_escape(text("id")) << "</code></td><td>" << html_escape(text("label")) << "</td><td class=\"num\">"
      << html_escape(r.contains("repeat") ? r["repeat"].dump() : "\u2014") << "</td><td class=\"num\">"
      << html_escape(r.contains("images") ? r["images"].dump() : "\u2014") << "</td><td>" << html_escape(text("devices"))
      << "</td><td>" << html_escape(text("translated_by")) << "</td><td>" << html_escape(text("evaluated_by")) << "</td></tr>\n";
  }
  o << "</tbody></table>\n";
}

}  // namespace

std::string html_escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string render_html(const HtmlPage& page) {
  const Table& t = *page.table;
  std::ostringstream o;
  o << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" << html_escape(t.title)
    << "</title>\n<style>" << html_style() << "#browser img { width: " << page.browser.thumb
    << "px; height: auto; }\n</style></head>\n<body>\n<h1>" << html_escape(t.title) << "</h1>\n";
  o << "<p><a href=\"#table\">table</a> \u00b7 <a href=\"#differences\">differences</a> \u00b7 <a href=\"#tradeoff\">trade-off</a> \u00b7 <a href=\"#samples\">samples</a>"
       " \u00b7 <a href=\"#images\">images</a> \u00b7 <a href=\"#runs\">runs</a> \u00b7 <a href=\"#provenance\">provenance</a></p>\n";
  for (const auto& n : page.notes) o << "<p class=\"note\">note: " << html_escape(n) << "</p>\n";
  o << "<h2 id=\"table\">Table</h2>\n";
  results_table(o, t);
  differences_section(o, t);
  o << "<h2 id=\"tradeoff\">Realism\u2013faithfulness trade-off</h2>\n<div id=\"tradeoff-plot\">";
  std::string svg = page.tradeoff_svg;
  if (svg.rfind("<?xml", 0) == 0) svg.erase(0, svg.find("?>") + 2);  // inline SVG takes no XML prolog
  o << svg << "</div>\n<h2 id=\"samples\">Samples</h2>\n";
  if (page.samples_uri.empty()) o << "<p class=\"note\">no sample grid</p>\n";
  else o << "<img id=\"sample-grid\" alt=\"sample grid\" src=\"" << page.samples_uri << "\">\n";
  browser_section(o, page.browser);
  runs_section(o, page.runs);
  o << "<h2 id=\"provenance\">Provenance</h2>\n<ul>\n";
  for (const auto& [k, v] : t.provenance) o << "<li>" << html_escape(k) << ": <code>" << html_escape(v) << "</code></li>\n";
  o << "</ul>\n<pre id=\"errors\"></pre>\n<script type=\"application/json\" id=\"egsde-data\">"
    << script_json(browser_json(page.browser)) << "</script>\n<script>" << html_script() << "</script>\n</body></html>\n";
  return o.str();
}

}  // namespace egsde::report
