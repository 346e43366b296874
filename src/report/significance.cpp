#include "report/significance.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>

#include "core/error.h"
#include "metrics/per_image_h5.h"

namespace egsde::report {
namespace fs = std::filesystem;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double mean_of(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}

double variance_of(const std::vector<double>& v, double mean) {  // ddof = 1
  double s = 0;
  for (double x : v) s += (x - mean) * (x - mean);
  return s / static_cast<double>(v.size() - 1);
}

// Percentile of sorted values, linear between order statistics (numpy's default).
double percentile(const std::vector<double>& sorted, double q) {
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const auto i = static_cast<std::size_t>(std::floor(pos));
  if (i + 1 >= sorted.size()) return sorted.back();
  const double f = pos - static_cast<double>(i);
  return sorted[i] + f * (sorted[i + 1] - sorted[i]);
}

// Continued fraction of I_x(a, b) (DLMF 8.17.22), by the modified Lentz method:
//   I_x(a, b) = x^a (1−x)^b / (a B(a, b)) · 1/(1+ d1/(1+ d2/(1+ …))),
//   d_{2m+1} = −(a+m)(a+b+m) x / ((a+2m)(a+2m+1)),  d_{2m} = m(b−m) x / ((a+2m−1)(a+2m)).
// Converges fast for x < (a+1)/(a+b+2); the caller uses I_x(a, b) = 1 − I_{1−x}(b, a) otherwise.
double beta_fraction(double x, double a, double b) {
  constexpr double tiny = 1e-300, eps = 1e-16;
  double f = tiny, c = tiny, d = 0;  // f_0 = b_0 = 0 (tiny)
  for (int k = 0; k < 100000; ++k) {
    double num = 1;  // a_1 = 1, a_{k+1} = d_k
    if (k > 0) {
      const double m = std::floor(k / 2.0);
      num = k % 2 ? -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
                  : m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m));
    }
    d = 1 + num * d;
    if (std::abs(d) < tiny) d = tiny;
    c = 1 + num / c;
    if (std::abs(c) < tiny) c = tiny;
    d = 1 / d;
    const double delta = c * d;
    f *= delta;
    if (std::abs(delta - 1) < eps) break;
  }
  return f;
}

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

// ---- compare_methods ----

struct MethodRuns {
  runner::Method method;
  std::vector<const RunResult*> runs;  // at its default grid point
};

// Per-image values of one method's runs: metric → image → (sum, count) over repeats.
struct MethodImages {
  std::size_t read = 0;                 // runs whose per_image.h5 was read
  std::size_t absent = 0;               // runs without one
  std::vector<std::string> unreadable;  // the errors of damaged ones
  std::map<std::string, std::map<std::string, std::pair<double, std::size_t>>> values;
};

MethodImages load_images(const MethodRuns& m, const fs::path& root) {
  MethodImages out;
  for (const RunResult* r : m.runs) {
    const fs::path file = root / r->id / "per_image.h5";
    std::error_code ec;
    if (!fs::exists(file, ec)) {
      ++out.absent;
      continue;
    }
    try {
      const metrics::PerImageRecords rec = metrics::read_per_image_h5(file);
      for (const auto& [metric, values] : rec.scores)
        for (std::size_t i = 0; i < rec.image.size(); ++i)
          if (std::isfinite(values[i])) {
            auto& cell = out.values[metric][rec.image[i]];
            cell.first += values[i];
            ++cell.second;
          }
      ++out.read;
    } catch (const Error& e) {
      out.unreadable.push_back(e.what());
    }
  }
  return out;
}

std::string join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string s;
  for (const auto& p : parts) s += (s.empty() ? "" : sep) + p;
  return s;
}

void add_note(Comparison& c, const std::string& what) { c.note += (c.note.empty() ? "" : "; ") + what; }

void paired(Comparison& c, const MethodRuns& ma, const MethodImages& ia, const MethodRuns& mb, const MethodImages& ib,
            uint64_t seed, int resamples) {
  c.test = kPairedBootstrap;
  c.n_a = ia.read;
  c.n_b = ib.read;
  for (const auto* side : {&ma, &mb}) {
    const MethodImages& im = side == &ma ? ia : ib;
    std::vector<std::string> why;
    if (im.absent) why.push_back(std::to_string(im.absent) + " of " + std::to_string(side->runs.size()) + " runs have none");
    why.insert(why.end(), im.unreadable.begin(), im.unreadable.end());
    if (im.read == 0)
      add_note(c, "per_image.h5 missing for " + method_title(side->method) + " (" + join(why, "; ") + ")");
    else if (!why.empty())
      add_note(c, method_title(side->method) + ": images averaged over " + std::to_string(im.read) + " of " +
                      std::to_string(side->runs.size()) + " runs (" + join(why, "; ") + ")");
  }
  if (ia.read == 0 || ib.read == 0) return;
  const auto a_it = ia.values.find(c.metric), b_it = ib.values.find(c.metric);
  static const std::map<std::string, std::pair<double, std::size_t>> kNone;
  const auto& av = a_it == ia.values.end() ? kNone : a_it->second;
  const auto& bv = b_it == ib.values.end() ? kNone : b_it->second;
  std::vector<double> d;
  std::size_t unpaired = 0;
  for (const auto& [image, sa] : av) {
    const auto it = bv.find(image);
    if (it == bv.end()) {
      ++unpaired;
      continue;
    }
    d.push_back(sa.first / static_cast<double>(sa.second) -
                it->second.first / static_cast<double>(it->second.second));
  }
  for (const auto& [image, sb] : bv) unpaired += av.count(image) ? 0 : 1;
  if (unpaired) add_note(c, std::to_string(unpaired) + " images of only one method left out");
  c.n = d.size();
  if (d.size() < 2) {
    if (d.size() == 1) c.diff = d[0];
    add_note(c, "n < 2 (" + std::to_string(d.size()) + " paired images)");
    return;
  }
  const Interval iv = paired_bootstrap(d, seed, resamples);
  c.diff = iv.diff;
  c.lo = iv.lo;
  c.hi = iv.hi;
}

void welch(Comparison& c, const MethodRuns& ma, const MethodRuns& mb) {
  c.test = kWelch;
  std::vector<double> values[2];
  for (int side = 0; side < 2; ++side)
    for (const RunResult* r : (side ? mb : ma).runs) {
      const auto it = r->metrics.find(c.metric);
      if (r->has_metrics && it != r->metrics.end() && std::isfinite(it->second)) values[side].push_back(it->second);
    }
  c.n_a = values[0].size();
  c.n_b = values[1].size();
  c.n = c.n_a + c.n_b;
  if (c.n_a && c.n_b) c.diff = mean_of(values[0]) - mean_of(values[1]);
  if (c.n_a < 2 || c.n_b < 2) {
    add_note(c, "n < 2: Welch needs 2 repeats of each method with a value (" + method_title(ma.method) + " " +
                    std::to_string(c.n_a) + ", " + method_title(mb.method) + " " + std::to_string(c.n_b) + ")");
    return;
  }
  const Interval iv = welch_interval(values[0], values[1]);
  c.lo = iv.lo;
  c.hi = iv.hi;
  c.df = iv.df;
  if (!std::isfinite(iv.df)) add_note(c, "no spread within either method: the interval is the difference itself");
}

}  // namespace

double incomplete_beta(double x, double a, double b) {
  if (!(a > 0) || !(b > 0) || !(x >= 0 && x <= 1)) throw Error("incomplete beta: needs a, b > 0 and x in [0, 1]");
  if (x == 0) return 0;
  if (x == 1) return 1;
  if (x > (a + 1) / (a + b + 2)) return 1 - incomplete_beta(1 - x, b, a);
  const double log_front = std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x);
  return std::exp(log_front) / a * beta_fraction(x, a, b);
}

double student_t_cdf(double t, double df) {
  if (!(df > 0)) throw Error("Student t: degrees of freedom must be > 0");
  if (std::isinf(df) || df > 1e8) return normal_cdf(t);
  // P(|T| > |t|) = I_{df/(df+t²)}(df/2, 1/2)
  const double tail = 0.5 * incomplete_beta(df / (df + t * t), df / 2, 0.5);
  return t > 0 ? 1 - tail : tail;
}

double student_t_quantile(double p, double df) {
  if (!(p > 0 && p < 1)) throw Error("Student t quantile: p must be in (0, 1)");
  if (p < 0.5) return -student_t_quantile(1 - p, df);
  if (p == 0.5) return 0;
  double lo = 0, hi = 1;
  while (student_t_cdf(hi, df) < p) lo = hi, hi *= 2;  // df ≥ 1e-2 is bracketed within a few hundred doublings
  for (int i = 0; i < 200 && hi - lo > 1e-15 * hi; ++i) {
    const double mid = 0.5 * (lo + hi);
    (student_t_cdf(mid, df) < p ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

Interval welch_interval(const std::vector<double>& a, const std::vector<double>& b, double level) {
  if (a.size() < 2 || b.size() < 2) throw Error("Welch interval: needs at least 2 values on each side");
  Interval iv;
  const double ma = mean_of(a), mb = mean_of(b);
  const double ua = variance_of(a, ma) / static_cast<double>(a.size());
  const double ub = variance_of(b, mb) / static_cast<double>(b.size());
  iv.diff = ma - mb;
  const double se2 = ua + ub;
  if (se2 == 0) {
    iv.lo = iv.hi = iv.diff;
    return iv;
  }
  // Welch–Satterthwaite: df = (u_a + u_b)² / (u_a²/(n_a − 1) + u_b²/(n_b − 1)), u = s²/n
  iv.df = se2 * se2 / (ua * ua / static_cast<double>(a.size() - 1) + ub * ub / static_cast<double>(b.size() - 1));
  const double half = student_t_quantile((1 + level) / 2, iv.df) * std::sqrt(se2);
  iv.lo = iv.diff - half;
  iv.hi = iv.diff + half;
  return iv;
}

Interval paired_bootstrap(const std::vector<double>& d, uint64_t seed, int resamples, double level) {
  if (d.size() < 2) throw Error("paired bootstrap: needs at least 2 differences");
  if (resamples < 2) throw Error("paired bootstrap: needs at least 2 resamples (10000 is usual)");
  Interval iv;
  iv.diff = mean_of(d);
  std::mt19937_64 rng(seed);
  const auto n = static_cast<unsigned __int128>(d.size());
  std::vector<double> means(static_cast<std::size_t>(resamples));
  for (auto& m : means) {
    double s = 0;
    for (std::size_t k = 0; k < d.size(); ++k) s += d[static_cast<std::size_t>((rng() * n) >> 64)];  // uniform index
    m = s / static_cast<double>(d.size());
  }
  std::sort(means.begin(), means.end());
  iv.lo = percentile(means, (1 - level) / 2);
  iv.hi = percentile(means, (1 + level) / 2);
  return iv;
}

std::optional<runner::Method> better_method(const Comparison& c) {
  if (!c.significant) return std::nullopt;
  const bool a_lower = c.diff < 0;
  return (metric_info(c.metric).better == Better::Lower) == a_lower ? c.a : c.b;
}

std::vector<Comparison> compare_methods(const std::vector<RunResult>& runs, const fs::path& runs_root,
                                        const std::vector<std::string>& metrics, uint64_t seed, int resamples) {
  std::vector<MethodRuns> methods;
  for (const RunResult& r : runs) {
    auto it = std::find_if(methods.begin(), methods.end(), [&](const MethodRuns& m) { return m.method == r.method; });
    if (it == methods.end()) it = methods.insert(methods.end(), MethodRuns{r.method, {}});
    // One grid point per method: the first default run's (a method's default runs share it).
    if (r.is_default && (it->runs.empty() || it->runs.front()->grid == r.grid)) it->runs.push_back(&r);
  }
  const auto& per_image = metrics::per_image_metrics();
  std::vector<MethodImages> images(methods.size());
  const bool any_paired = std::any_of(metrics.begin(), metrics.end(), [&](const std::string& m) {
    return std::find(per_image.begin(), per_image.end(), m) != per_image.end();
  });
  if (any_paired)
    for (std::size_t i = 0; i < methods.size(); ++i) images[i] = load_images(methods[i], runs_root);

  std::vector<Comparison> out;
  for (std::size_t i = 0; i < methods.size(); ++i)
    for (std::size_t j = i + 1; j < methods.size(); ++j)
      for (const auto& metric : metrics) {
        Comparison c;
        c.a = methods[i].method;
        c.b = methods[j].method;
        c.metric = metric;
        const bool is_paired = std::find(per_image.begin(), per_image.end(), metric) != per_image.end();
        std::vector<std::string> none;
        for (const auto* m : {&methods[i], &methods[j]})
          if (m->runs.empty()) none.push_back(method_title(m->method));
        if (!none.empty()) {
          c.test = is_paired ? kPairedBootstrap : kWelch;
          c.note = join(none, " and ") + (none.size() > 1 ? " have" : " has") + " no run at the spec's own setting";
        } else if (is_paired) {
          paired(c, methods[i], images[i], methods[j], images[j], seed, resamples);
        } else {
          welch(c, methods[i], methods[j]);
        }
        c.significant = std::isfinite(c.lo) && std::isfinite(c.hi) && (c.lo > 0 || c.hi < 0);
        out.push_back(std::move(c));
      }
  return out;
}

}  // namespace egsde::report
