// Differences between methods with a 95% confidence interval: is "EGSDE beats SDEdit" more
// than the noise of the repeats and of the image sample?
//
// Each method is compared at its default grid point (the spec's own setting, the paper's
// comparison), every pair once, a = the method whose runs appear first, Δ = a − b:
//   - faithfulness metrics that OUT/<run>/per_image.h5 holds (l2, mse, psnr, ssim): paired by
//     source image. Each image's value is averaged over the method's repeats, the per-image
//     differences are resampled with replacement (percentile bootstrap of their mean; a fixed
//     seed, so the same runs give the same interval). The pairing removes the image-to-image
//     spread (a hard source is hard for every method), which dominates these metrics.
//   - set metrics (fid, fd, kid, accuracy, … whatever only metrics.json has, one number per
//     run): over the repeats, Welch's t interval (unequal variances, Welch–Satterthwaite df).
//     Not a bootstrap: with the usual 3 repeats a bootstrap has only 10 distinct resamples of
//     each method (multisets of 3 out of 3), so its percentiles are a coarse, too narrow grid;
//     Welch's interval is exact for normal values and widens properly for small n.
// Nothing is estimated from one value: n < 2 (repeats of a method, or paired images) gives a
// Comparison with a note and no interval.
#pragma once
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "report/aggregate.h"

namespace egsde::report {

struct Comparison {
  runner::Method a = runner::Method::Egsde, b = runner::Method::Sdedit;  // a − b
  std::string metric;  // "l2", "fid", ...
  double diff = std::numeric_limits<double>::quiet_NaN();  // mean difference
  double lo = std::numeric_limits<double>::quiet_NaN();    // its 95% CI
  double hi = std::numeric_limits<double>::quiet_NaN();
  std::size_t n = 0;    // images (paired) or repeats (a's + b's) used
  std::size_t n_a = 0;  // repeats of a used (paired: averaged per image)
  std::size_t n_b = 0;
  double df = std::numeric_limits<double>::quiet_NaN();  // Welch–Satterthwaite degrees of freedom
  std::string test;     // "paired bootstrap over images" | "Welch t over repeats"
  bool significant = false;  // the CI excludes 0
  std::string note;          // why no value (e.g. "per_image.h5 missing", "n < 2"), or what was left out
};

constexpr const char* kPairedBootstrap = "paired bootstrap over images";
constexpr const char* kWelch = "Welch t over repeats";

// Every pair of methods × every metric (see the header comment). `runs_root` holds
// OUT/<run>/per_image.h5; a missing or unreadable one is a note, not an error.
std::vector<Comparison> compare_methods(const std::vector<RunResult>& runs, const std::filesystem::path& runs_root,
                                        const std::vector<std::string>& metrics, uint64_t seed = 0,
                                        int resamples = 10000);

// The better method of a significant comparison (by MetricInfo::better); nullopt otherwise.
std::optional<runner::Method> better_method(const Comparison& c);

// --- the statistics, exposed for the tests ---

// Regularized incomplete beta function I_x(a, b), a, b > 0, x in [0, 1].
double incomplete_beta(double x, double a, double b);
// Student's t distribution with `df` degrees of freedom (df = infinity: the standard normal).
double student_t_cdf(double t, double df);
double student_t_quantile(double p, double df);

struct Interval {
  double diff = std::numeric_limits<double>::quiet_NaN();
  double lo = std::numeric_limits<double>::quiet_NaN();
  double hi = std::numeric_limits<double>::quiet_NaN();
  double df = std::numeric_limits<double>::quiet_NaN();  // Welch only
};
// mean(a) − mean(b) ± t_{(1+level)/2}(df) · sqrt(s_a²/n_a + s_b²/n_b); needs n ≥ 2 on each side.
// Both variances 0: the interval is the point diff.
Interval welch_interval(const std::vector<double>& a, const std::vector<double>& b, double level = 0.95);
// mean(d) and the percentile bootstrap interval of it (linear interpolation between order
// statistics); needs n ≥ 2. The draws are a function of `seed` alone (std::mt19937_64).
Interval paired_bootstrap(const std::vector<double>& d, uint64_t seed, int resamples, double level = 0.95);

}  // namespace egsde::report
