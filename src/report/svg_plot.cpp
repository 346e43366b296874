#include "report/svg_plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <vector>

namespace egsde::report {
namespace {

constexpr double kPanelW = 460, kPanelH = 380, kLeft = 60, kRight = 20, kTop = 50, kBottom = 50;

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f", v);
  return buf;
}

std::string tick_label(double v, double step) {
  const int decimals = step >= 1 ? 0 : static_cast<int>(std::ceil(-std::log10(step)));
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, v);
  return buf;
}

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else if (c == '"') out += "&quot;";
    else out += c;
  }
  return out;
}

const char* color(runner::Method m) {
  switch (m) {
    case runner::Method::Egsde: return "#d62728";
    case runner::Method::EgsdeDagger: return "#9467bd";
    case runner::Method::Sdedit: return "#1f77b4";
    case runner::Method::Ilvr: return "#2ca02c";
  }
  return "#000000";
}

// A "nice" tick step (1, 2 or 5 × 10^k) giving about five ticks over [lo, hi].
double nice_step(double span) {
  if (!(span > 0)) return 1;
  const double raw = span / 5;
  const double p = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (raw <= m * p) return m * p;
  return 10 * p;
}

struct Point {
  double x, y, ex, ey;  // ex/ey: std (0 = none)
  std::string label;
  const char* color;
  bool paper;
};

struct Range {
  double lo = INFINITY, hi = -INFINITY;
  void add(double v) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  void pad() {
    if (!(hi > lo)) {
      lo -= 1;
      hi += 1;
    }
    const double p = 0.08 * (hi - lo);
    lo -= p;
    hi += p;
  }
};

void panel(std::ostringstream& o, const Aggregate& agg, const std::string& xmetric, double ox) {
  const std::string ymetric = agg.metrics.front();  // the realism score: FID, or FD in another feature space
  std::vector<Point> points;
  for (const auto& g : agg.groups) {
    const Stat& x = g.stats.at(xmetric);
    const Stat& y = g.stats.at(ymetric);
    const std::string label = method_title(g.method) + (g.grid.empty() ? "" : " " + grid_text(g.grid));
    if (x.n && y.n)
      points.push_back({x.mean, y.mean, x.n > 1 ? x.std : 0, y.n > 1 ? y.std : 0, label, color(g.method), false});
    const auto px = g.paper.find(xmetric), py = g.paper.find(ymetric);
    if (px != g.paper.end() && py != g.paper.end())
      points.push_back({px->second.mean, py->second.mean, px->second.std.value_or(0), py->second.std.value_or(0),
                        method_title(g.method) + " (paper)", color(g.method), true});
  }
  const MetricInfo xi = metric_info(xmetric), yi = metric_info(ymetric);
  const double w = kPanelW - kLeft - kRight, h = kPanelH - kTop - kBottom;
  const double x0 = ox + kLeft, y0 = kTop;
  o << "<g>\n<rect x=\"" << num(x0) << "\" y=\"" << num(y0) << "\" width=\"" << num(w) << "\" height=\"" << num(h)
    << "\" fill=\"none\" stroke=\"#444\"/>\n";
  o << "<text x=\"" << num(x0 + w / 2) << "\" y=\"" << num(kPanelH - 12) << "\" text-anchor=\"middle\">" << xi.title
    << (xi.better == Better::Lower ? " (lower = more faithful)" : " (higher = more faithful)") << "</text>\n";
  o << "<text transform=\"translate(" << num(ox + 16) << "," << num(y0 + h / 2)
    << ") rotate(-90)\" text-anchor=\"middle\">" << yi.title << " (lower = more realistic)</text>\n";
  if (points.empty()) {
    o << "<text x=\"" << num(x0 + w / 2) << "\" y=\"" << num(y0 + h / 2) << "\" text-anchor=\"middle\" fill=\"#888\">no "
      << xi.title << "/" << yi.title << " values yet</text>\n</g>\n";
    return;
  }
  Range rx, ry;
  for (const auto& p : points) {
    rx.add(p.x - p.ex);
    rx.add(p.x + p.ex);
    ry.add(p.y - p.ey);
    ry.add(p.y + p.ey);
  }
  rx.pad();
  ry.pad();
  auto X = [&](double v) { return x0 + (v - rx.lo) / (rx.hi - rx.lo) * w; };
  auto Y = [&](double v) { return y0 + h - (v - ry.lo) / (ry.hi - ry.lo) * h; };
  // Ticks and grid lines.
  const double sx = nice_step(rx.hi - rx.lo), sy = nice_step(ry.hi - ry.lo);
  for (double v = std::ceil(rx.lo / sx) * sx; v <= rx.hi; v += sx)
    o << "<line x1=\"" << num(X(v)) << "\" y1=\"" << num(y0) << "\" x2=\"" << num(X(v)) << "\" y2=\"" << num(y0 + h)
      << "\" stroke=\"#eee\"/><text x=\"" << num(X(v)) << "\" y=\"" << num(y0 + h + 16)
      << "\" text-anchor=\"middle\" font-size=\"11\">" << tick_label(v, sx) << "</text>\n";
  for (double v = std::ceil(ry.lo / sy) * sy; v <= ry.hi; v += sy)
    o << "<line x1=\"" << num(x0) << "\" y1=\"" << num(Y(v)) << "\" x2=\"" << num(x0 + w) << "\" y2=\"" << num(Y(v))
      << "\" stroke=\"#eee\"/><text x=\"" << num(x0 - 4) << "\" y=\"" << num(Y(v) + 4)
      << "\" text-anchor=\"end\" font-size=\"11\">" << tick_label(v, sy) << "</text>\n";
  for (const auto& p : points) {
    const double cx = X(p.x), cy = Y(p.y);
    if (p.ex > 0)
      o << "<line x1=\"" << num(X(p.x - p.ex)) << "\" y1=\"" << num(cy) << "\" x2=\"" << num(X(p.x + p.ex)) << "\" y2=\""
        << num(cy) << "\" stroke=\"" << p.color << "\"/>\n";
    if (p.ey > 0)
      o << "<line x1=\"" << num(cx) << "\" y1=\"" << num(Y(p.y - p.ey)) << "\" x2=\"" << num(cx) << "\" y2=\""
        << num(Y(p.y + p.ey)) << "\" stroke=\"" << p.color << "\"/>\n";
    o << "<circle cx=\"" << num(cx) << "\" cy=\"" << num(cy) << "\" r=\"4\" fill=\"" << (p.paper ? "white" : p.color)
      << "\" stroke=\"" << p.color << "\"" << (p.paper ? " stroke-width=\"1.5\"" : "") << "><title>"
      << xml_escape(p.label) << "</title></circle>\n";
    if (p.paper) continue;  // hollow markers carry their label as a tooltip only (they sit next to ours)
    const bool left = cx > x0 + 0.7 * w;  // keep labels inside the panel
    o << "<text x=\"" << num(left ? cx - 6 : cx + 6) << "\" y=\"" << num(cy - 6) << "\"" << (left ? " text-anchor=\"end\"" : "")
      << " font-size=\"10\" fill=\"" << p.color << "\">" << xml_escape(p.label) << "</text>\n";
  }
  o << "</g>\n";
}

}  // namespace

std::string tradeoff_svg(const Aggregate& agg, const std::string& title) {
  std::ostringstream o;
  o << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << num(2 * kPanelW) << "\" height=\"" << num(kPanelH)
    << "\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  o << "<text x=\"" << num(kPanelW) << "\" y=\"22\" text-anchor=\"middle\" font-size=\"14\">" << xml_escape(title)
    << ": realism (" << metric_info(agg.metrics.front()).title << ") vs faithfulness; mean \u00b1 1 std over repeats; hollow = paper</text>\n";
  panel(o, agg, "ssim", 0);
  panel(o, agg, "l2", kPanelW);
  o << "</svg>\n";
  return o.str();
}

}  // namespace egsde::report
