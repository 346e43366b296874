// report/significance: the Student t quantile against tabulated values and closed forms, Welch's
// interval against a hand calculation, the paired bootstrap on differences with a known answer,
// and compare_methods over a fake output root (metrics.json + per_image.h5 per run).
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "common/test_util.h"
#include "core/json_io.h"
#include "metrics/per_image_h5.h"
#include "report/significance.h"
#include "report/table_writers.h"

using namespace egsde;
using namespace egsde::report;
namespace fs = std::filesystem;

TEST(ReportSignificance, StudentTQuantileMatchesTables) {
  // Two-sided 95% critical values t_0.975(ν), NIST/SEMATECH e-Handbook of Statistical Methods,
  // table 1.4.2.3 (3 decimals: 12.706, 4.303, 3.182, 2.776, 2.228; ∞: 1.960), the further digits
  // from Simpson integration of the t density (500 k steps) and bisection, done by hand in Python.
  // ν = 1 and 2 have closed forms: t = tan(π(p − 1/2)) and t = (2p − 1)/sqrt(2p(1 − p)).
  EXPECT_NEAR(student_t_quantile(0.975, 1), std::tan(M_PI * 0.475), 1e-9);  // 12.706205
  EXPECT_NEAR(student_t_quantile(0.975, 2), 0.95 / std::sqrt(2 * 0.975 * 0.025), 1e-9);  // 4.302653
  EXPECT_NEAR(student_t_quantile(0.975, 2), 4.302653, 1e-6);
  EXPECT_NEAR(student_t_quantile(0.975, 3), 3.182446, 1e-6);
  EXPECT_NEAR(student_t_quantile(0.975, 4), 2.776445, 1e-6);
  EXPECT_NEAR(student_t_quantile(0.975, 10), 2.228139, 1e-6);
  EXPECT_NEAR(student_t_quantile(0.975, 216.0 / 53), 2.756285, 1e-6);  // non-integer df (Welch's)
  EXPECT_NEAR(student_t_quantile(0.975, INFINITY), 1.959964, 1e-6);    // Φ⁻¹(0.975)
  EXPECT_NEAR(student_t_quantile(0.975, 1e7), 1.959964, 1e-5);
  // Symmetry, the median, and the ν = 2 CDF's closed form F(t) = 1/2 + t / (2 sqrt(2 + t²)).
  EXPECT_DOUBLE_EQ(student_t_quantile(0.025, 10), -student_t_quantile(0.975, 10));
  EXPECT_EQ(student_t_quantile(0.5, 3), 0.0);
  for (double t : {-3.0, -0.5, 0.0, 0.7, 5.0})
    EXPECT_NEAR(student_t_cdf(t, 2), 0.5 + t / (2 * std::sqrt(2 + t * t)), 1e-12) << t;
  // I_x(a, 1) = x^a and I_x(1, b) = 1 − (1 − x)^b (DLMF 8.17.1).
  EXPECT_NEAR(incomplete_beta(0.3, 2.5, 1), std::pow(0.3, 2.5), 1e-13);
  EXPECT_NEAR(incomplete_beta(0.8, 1, 3.5), 1 - std::pow(0.2, 3.5), 1e-13);
}

TEST(ReportSignificance, WelchIntervalByHand) {
  // a = {0, 2}: mean 1, s² = 2, s²/n = 1.  b = {7, 11, 11, 11}: mean 10, deviations −3, 1, 1, 1,
  // s² = 12/3 = 4, s²/n = 1.  se = sqrt(1 + 1) = sqrt 2;
  // df = (1 + 1)² / (1²/1 + 1²/3) = 4 / (4/3) = 3 (a pooled Student t would use 4).
  // Δ = 1 − 10 = −9; half width = t_0.975(3) · sqrt 2 = 3.182446 · 1.414214 = 4.500659.
  const Interval w = welch_interval({0, 2}, {7, 11, 11, 11});
  EXPECT_DOUBLE_EQ(w.diff, -9);
  EXPECT_NEAR(w.df, 3, 1e-12);
  EXPECT_NEAR(w.lo, -9 - 4.500659, 1e-5);
  EXPECT_NEAR(w.hi, -9 + 4.500659, 1e-5);
  // Equal spreads and sizes: a = {1, 2, 3}, b = {3, 4, 5}: s² = 1 each, se = sqrt(2/3),
  // df = (2/3)² / (2 · (1/3)²/2) = 4; Δ = −2 ± 2.776445 · 0.816497 = −2 ± 2.266958 (contains 0).
  const Interval e = welch_interval({1, 2, 3}, {3, 4, 5});
  EXPECT_NEAR(e.df, 4, 1e-12);
  EXPECT_NEAR(e.lo, -2 - 2.266958, 1e-5);
  EXPECT_NEAR(e.hi, -2 + 2.266958, 1e-5);
  // No spread on either side: the point itself.
  const Interval z = welch_interval({5, 5}, {3, 3, 3});
  EXPECT_DOUBLE_EQ(z.lo, 2);
  EXPECT_DOUBLE_EQ(z.hi, 2);
  EXPECT_TRUE(std::isnan(z.df));
}

TEST(ReportSignificance, PairedBootstrapKnownAnswers) {
  // Every image differs by exactly c: every resample's mean is c, the CI is [c, c].
  const double c = 0.375;  // a binary fraction: the sums are exact
  const Interval same = paired_bootstrap(std::vector<double>(50, c), 0, 2000);
  EXPECT_DOUBLE_EQ(same.diff, c);
  EXPECT_DOUBLE_EQ(same.lo, c);
  EXPECT_DOUBLE_EQ(same.hi, c);

  // Symmetric noise around 0 (each value and its negative): mean 0, the CI straddles 0, and its
  // half width is near 1.96 · sd/sqrt(n) (the normal approximation of the mean).
  std::mt19937_64 rng(7);
  std::normal_distribution<double> noise(0, 1);
  std::vector<double> sym;
  for (int i = 0; i < 100; ++i) {
    const double x = noise(rng);
    sym.push_back(x);
    sym.push_back(-x);
  }
  double ss = 0;
  for (double x : sym) ss += x * x;
  const double se = std::sqrt(ss / (sym.size() - 1)) / std::sqrt(static_cast<double>(sym.size()));
  const Interval zero = paired_bootstrap(sym, 0, 10000);
  EXPECT_NEAR(zero.diff, 0, 1e-12);
  EXPECT_LT(zero.lo, 0);
  EXPECT_GT(zero.hi, 0);
  EXPECT_NEAR(zero.hi - zero.lo, 2 * 1.96 * se, 0.1 * 2 * 1.96 * se);

  // Shifted by 1 with noise sd 0.5 over 200 images: se ≈ 0.035, the CI is far from 0.
  std::vector<double> shifted;
  for (int i = 0; i < 200; ++i) shifted.push_back(1 + 0.5 * noise(rng));
  const Interval clear = paired_bootstrap(shifted, 0, 10000);
  EXPECT_GT(clear.lo, 0.8);
  EXPECT_LT(clear.hi, 1.2);
  EXPECT_LT(clear.lo, clear.diff);
  EXPECT_GT(clear.hi, clear.diff);

  // A fixed seed gives the same interval; another seed a slightly different one.
  const Interval again = paired_bootstrap(shifted, 0, 10000);
  EXPECT_EQ(again.lo, clear.lo);
  EXPECT_EQ(again.hi, clear.hi);
  EXPECT_NE(paired_bootstrap(shifted, 1, 10000).lo, clear.lo);
}

namespace {

RunResult fake_run(const std::string& id, runner::Method m, int64_t repeat, std::map<std::string, double> metrics) {
  RunResult r;
  r.id = id;
  r.label = runner::to_string(m) + " repeat=" + std::to_string(repeat);
  r.method = m;
  r.repeat = repeat;
  r.is_default = true;
  r.found = true;
  r.has_metrics = true;
  r.metrics = std::move(metrics);
  return r;
}

// OUT/<id>/metrics.json and per_image.h5 with per-image l2 = base + i (image i of n), ssim = 0.5.
void write_run(const fs::path& root, const RunResult& r, double l2_base, std::size_t n) {
  fs::create_directories(root / r.id);
  nlohmann::json m = {{"run_id", r.id}};
  for (const auto& [k, v] : r.metrics) m[k] = v;
  write_json_file(root / r.id / "metrics.json", m);
  std::vector<metrics::PerImageScores> rows(n);
  for (std::size_t i = 0; i < n; ++i) {
    rows[i].translated = root / r.id / "images" / ("img" + std::to_string(i) + ".png");
    rows[i].scores = {l2_base + static_cast<double>(i), 0.01, 20.0, 0.5};
  }
  metrics::write_per_image_h5(root / r.id / "per_image.h5", rows, std::vector<int64_t>(n, 0),
                              std::vector<double>(n, 1.0), {{"run_id", r.id}});
}

const Comparison& find(const std::vector<Comparison>& cs, runner::Method a, runner::Method b, const std::string& metric) {
  for (const auto& c : cs)
    if (c.a == a && c.b == b && c.metric == metric) return c;
  throw std::runtime_error("no comparison " + metric);
}

}  // namespace

TEST(ReportSignificance, CompareMethodsOverRunFolders) {
  // EGSDE (2 repeats), SDEdit (2 repeats), ILVR (1 repeat, no per_image.h5).
  // Per image i of 20: EGSDE l2 = 10 + i and 12 + i (mean 11 + i), SDEdit 13 + i both repeats:
  // every image differs by exactly −2 → Δ l2 = −2, CI [−2, −2], significant, EGSDE better (↓).
  // SSIM 0.5 everywhere: Δ 0, CI [0, 0], not significant.
  // FID over repeats: EGSDE {60, 62}, SDEdit {70, 74}: Δ = 61 − 72 = −11; s²/n = 2/2 = 1 and 8/2 = 4,
  // se = sqrt 5, df = 25 / (1/1 + 16/1) = 25/17; Welch CI = −11 ± t_0.975(25/17) · sqrt 5: two
  // repeats each are too few to call a difference of 11 in FID.
  const fs::path root = test::temp_dir("significance_runs");
  std::vector<RunResult> runs = {
      fake_run("e0", runner::Method::Egsde, 0, {{"fid", 60}, {"l2", 19.5}}),
      fake_run("e1", runner::Method::Egsde, 1, {{"fid", 62}, {"l2", 21.5}}),
      fake_run("s0", runner::Method::Sdedit, 0, {{"fid", 70}, {"l2", 22.5}}),
      fake_run("s1", runner::Method::Sdedit, 1, {{"fid", 74}, {"l2", 22.5}}),
      fake_run("i0", runner::Method::Ilvr, 0, {{"fid", 90}}),
  };
  write_run(root, runs[0], 10, 20);
  write_run(root, runs[1], 12, 20);
  write_run(root, runs[2], 13, 20);
  write_run(root, runs[3], 13, 20);
  fs::create_directories(root / "i0");
  // A non-default run of EGSDE (another grid point) is not part of the comparison.
  RunResult other = fake_run("e9", runner::Method::Egsde, 0, {{"fid", 0}});
  other.is_default = false;
  other.grid = {{"args.ls", 0}};
  runs.push_back(other);

  const auto cs = compare_methods(runs, root, {"fid", "l2", "ssim"}, 0, 1000);
  ASSERT_EQ(cs.size(), 9u);  // (EGSDE, SDEdit), (EGSDE, ILVR), (SDEdit, ILVR) × 3 metrics, in that order
  EXPECT_EQ(cs[0].a, runner::Method::Egsde);
  EXPECT_EQ(cs[0].b, runner::Method::Sdedit);
  EXPECT_EQ(cs[3].b, runner::Method::Ilvr);
  EXPECT_EQ(cs[6].a, runner::Method::Sdedit);

  const Comparison& l2 = find(cs, runner::Method::Egsde, runner::Method::Sdedit, "l2");
  EXPECT_EQ(l2.test, kPairedBootstrap);
  EXPECT_EQ(l2.n, 20u);
  EXPECT_EQ(l2.n_a, 2u);
  EXPECT_NEAR(l2.diff, -2, 1e-12);
  EXPECT_NEAR(l2.lo, -2, 1e-12);
  EXPECT_NEAR(l2.hi, -2, 1e-12);
  EXPECT_TRUE(l2.significant);
  EXPECT_EQ(better_method(l2), runner::Method::Egsde);
  EXPECT_EQ(l2.note, "");

  const Comparison& ssim = find(cs, runner::Method::Egsde, runner::Method::Sdedit, "ssim");
  EXPECT_DOUBLE_EQ(ssim.diff, 0);
  EXPECT_FALSE(ssim.significant);
  EXPECT_FALSE(better_method(ssim));

  const Comparison& fid = find(cs, runner::Method::Egsde, runner::Method::Sdedit, "fid");
  EXPECT_EQ(fid.test, kWelch);
  EXPECT_EQ(fid.n, 4u);
  EXPECT_DOUBLE_EQ(fid.diff, -11);
  EXPECT_NEAR(fid.df, 25.0 / 17, 1e-12);
  const double half = student_t_quantile(0.975, 25.0 / 17) * std::sqrt(5.0);
  EXPECT_NEAR(fid.lo, -11 - half, 1e-9);
  EXPECT_NEAR(fid.hi, -11 + half, 1e-9);
  // t_0.975(25/17) = 6.188115 (the Python integration above): half width 13.837046, CI [−24.84, 2.84].
  EXPECT_NEAR(half, 13.837046, 1e-5);
  EXPECT_FALSE(fid.significant);

  // ILVR: one repeat (Welch: n < 2, a difference but no interval) and no per_image.h5.
  const Comparison& fid_i = find(cs, runner::Method::Egsde, runner::Method::Ilvr, "fid");
  EXPECT_DOUBLE_EQ(fid_i.diff, 61 - 90);
  EXPECT_TRUE(std::isnan(fid_i.lo));
  EXPECT_FALSE(fid_i.significant);
  EXPECT_NE(fid_i.note.find("n < 2"), std::string::npos) << fid_i.note;
  const Comparison& l2_i = find(cs, runner::Method::Sdedit, runner::Method::Ilvr, "l2");
  EXPECT_TRUE(std::isnan(l2_i.diff));
  EXPECT_NE(l2_i.note.find("per_image.h5 missing for ILVR"), std::string::npos) << l2_i.note;

  // Deterministic: the same runs give the same file.
  Table t;
  t.title = "t";
  t.comparisons = cs;
  Table t2 = t;
  t2.comparisons = compare_methods(runs, root, {"fid", "l2", "ssim"}, 0, 1000);
  EXPECT_EQ(render_diff_csv(t), render_diff_csv(t2));

  // table.md: the section with Δ, CI, the test, n and the verdict.
  const std::string md = render_markdown(t);
  EXPECT_NE(md.find("## Differences between methods"), std::string::npos) << md;
  EXPECT_NE(md.find("| EGSDE \u2212 SDEdit | L2 \u2193 | -2.00 | [-2.00, -2.00] | paired bootstrap over images | "
                    "20 images (2 + 2 repeats) | \u2713 significant: EGSDE better |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| EGSDE \u2212 SDEdit | SSIM \u2191 | +0.000 | [0.000, 0.000] | paired bootstrap over images | "
                    "20 images (2 + 2 repeats) | not significant |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| EGSDE \u2212 ILVR | FID \u2193 | -29.00 | \u2014 | Welch t over repeats | 2 + 1 repeats | n < 2"),
            std::string::npos)
      << md;
  // table.tex: the same rows as a second tabular.
  const std::string tex = render_tex(t);
  EXPECT_NE(tex.find("EGSDE $-$ SDEdit & L2$\\downarrow$ & $-2.00$ & $[-2.00, -2.00]$ & paired bootstrap & "
                     "$\\checkmark$ EGSDE \\\\"),
            std::string::npos)
      << tex;
  EXPECT_NE(tex.find("EGSDE $-$ SDEdit & SSIM$\\uparrow$ & $+0.000$ & $[0.000, 0.000]$ & paired bootstrap & n.s. \\\\"),
            std::string::npos)
      << tex;
  // table_diff.csv: a header and one row per comparison.
  const std::string csv = render_diff_csv(t);
  EXPECT_NE(csv.find("\na,b,metric,diff,lo,hi,n,n_a,n_b,df,test,significant,better,note\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\negsde,sdedit,l2,-2,-2,-2,20,2,2,,paired bootstrap over images,1,egsde,\n"), std::string::npos)
      << csv;
  fs::remove_all(root);
}

TEST(ReportSignificance, HigherIsBetterAndMissingMethod) {
  // PSNR is better higher: a positive Δ that excludes 0 names a as better.
  Comparison c;
  c.a = runner::Method::Sdedit;
  c.b = runner::Method::Ilvr;
  c.metric = "psnr";
  c.diff = 1;
  c.lo = 0.5;
  c.hi = 1.5;
  c.significant = true;
  EXPECT_EQ(better_method(c), runner::Method::Sdedit);
  c.metric = "l2";
  EXPECT_EQ(better_method(c), runner::Method::Ilvr);
  // A method without a run at the spec's own setting: a note, no value.
  RunResult e = fake_run("e0", runner::Method::Egsde, 0, {{"fid", 1}});
  RunResult s = fake_run("s0", runner::Method::Sdedit, 0, {{"fid", 2}});
  s.is_default = false;
  const auto cs = compare_methods({e, s}, test::temp_dir("significance_nodefault"), {"fid"});
  ASSERT_EQ(cs.size(), 1u);
  EXPECT_NE(cs[0].note.find("SDEdit has no run at the spec's own setting"), std::string::npos) << cs[0].note;
  EXPECT_TRUE(std::isnan(cs[0].diff));
}

TEST(ReportSignificance, DamagedOrMissingPerImageFileIsANote) {
  // EGSDE: one readable per_image.h5, one that is no HDF5 file; SDEdit: one readable. L2 is
  // compared over the readable runs (Δ = 10 − 13 = −3 per image), the note says what was left out.
  const fs::path root = test::temp_dir("significance_damaged");
  const RunResult e0 = fake_run("e0", runner::Method::Egsde, 0, {}), e1 = fake_run("e1", runner::Method::Egsde, 1, {});
  const RunResult s0 = fake_run("s0", runner::Method::Sdedit, 0, {});
  write_run(root, e0, 10, 5);
  write_run(root, s0, 13, 5);
  fs::create_directories(root / "e1");
  write_json_file(root / "e1" / "per_image.h5", {{"not", "hdf5"}});
  const auto cs = compare_methods({e0, e1, s0}, root, {"l2"}, 0, 200);
  ASSERT_EQ(cs.size(), 1u);
  EXPECT_NEAR(cs[0].diff, -3, 1e-12);
  EXPECT_EQ(cs[0].n_a, 1u);
  EXPECT_TRUE(cs[0].significant);
  EXPECT_NE(cs[0].note.find("EGSDE: images averaged over 1 of 2 runs"), std::string::npos) << cs[0].note;
  EXPECT_NE(cs[0].note.find((root / "e1" / "per_image.h5").string() + ": is not an HDF5 file"), std::string::npos)
      << cs[0].note;
  // No file at all for SDEdit: no value, and the note says so.
  fs::remove(root / "s0" / "per_image.h5");
  const auto none = compare_methods({e0, e1, s0}, root, {"l2"}, 0, 200);
  EXPECT_TRUE(std::isnan(none[0].diff));
  EXPECT_NE(none[0].note.find("per_image.h5 missing for SDEdit (1 of 1 runs have none)"), std::string::npos)
      << none[0].note;
  fs::remove_all(root);
}
