// Fréchet distance and Gaussian statistics against tool/fid.py calculate_frechet_distance
// (scipy.linalg.sqrtm) on np.mean / np.cov statistics. The features are regenerated here from
// the seeds in metrics/frechet.json (torch.randn on a seeded CPU generator is bit-identical in
// LibTorch); the expected FIDs and feature checksums were computed by
// scripts/fixtures/make_metric_fixtures.py with the official function.
#include <gtest/gtest.h>

#include <ATen/CPUGeneratorImpl.h>

#include <chrono>

#include "common/test_util.h"
#include "core/error.h"
#include "core/json_io.h"
#include "metrics/frechet.h"

using namespace egsde;
using namespace egsde::metrics;

namespace {

// make_metric_fixtures.py features(): randn mixing matrix, then randn samples, same generator.
torch::Tensor features(const nlohmann::json& spec, int64_t d) {
  auto g = at::make_generator<at::CPUGeneratorImpl>(spec[0].get<uint64_t>());
  const int64_t n = spec[1].get<int64_t>();
  const auto mix = torch::randn({d, d}, g, torch::kFloat64) / std::sqrt(static_cast<double>(d));
  const auto x = torch::randn({n, d}, g, torch::kFloat64);
  return torch::matmul(x, mix) * spec[2].get<double>() + spec[3].get<double>();
}

TEST(FrechetParity, MatchesOfficialScipyFid) {
  const auto cases = read_json_file(test::fixture("metrics/frechet.json"));
  ASSERT_GE(cases.size(), 4u);
  for (const auto& [name, c] : cases.items()) {
    const int64_t d = c["d"];
    const auto fa = features(c["a"], d), fb = features(c["b"], d);
    ASSERT_LT(test::rel_diff(fa.sum().item<double>(), c["checksum_a"]), 1e-9) << name << ": generator mismatch";
    ASSERT_LT(test::rel_diff(fb.sum().item<double>(), c["checksum_b"]), 1e-9) << name << ": generator mismatch";
    const auto ga = gaussian_statistics(fa), gb = gaussian_statistics(fb);
    const double official = c["fid"];
    for (auto method : {SqrtmMethod::Reference, SqrtmMethod::Factored}) {
      const auto t0 = std::chrono::steady_clock::now();
      const auto r = frechet_distance(ga.mu, ga.sigma, gb.mu, gb.sigma, method);
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      const double err = test::rel_diff(r.distance, official);
      test::record("rel_error_" + name + "_" + to_string(method), err);
      test::record("seconds_" + name + "_" + to_string(method), secs);
      EXPECT_LT(err, 1e-6) << name << " " << to_string(method) << ": " << r.distance << " vs official " << official;
      EXPECT_FALSE(r.used_offset);
    }
  }
}

TEST(FrechetMetrics, StatisticsLikeNumpy) {
  const auto x = torch::tensor({{1.0, 2.0}, {3.0, 5.0}, {-1.0, 0.5}}, torch::kFloat64);
  const auto g = gaussian_statistics(x);
  EXPECT_TRUE(torch::allclose(g.mu, torch::tensor({1.0, 2.5}, torch::kFloat64)));
  // np.cov(x, rowvar=False): unbiased
  EXPECT_TRUE(torch::allclose(g.sigma, torch::tensor({{4.0, 4.5}, {4.5, 5.25}}, torch::kFloat64)));
}

TEST(FrechetMetrics, IdenticalStatisticsGiveZero) {
  torch::manual_seed(0);
  const auto g = gaussian_statistics(torch::randn({300, 32}, torch::kFloat64));
  for (auto m : {SqrtmMethod::Reference, SqrtmMethod::Factored}) {
    EXPECT_NEAR(frechet_distance(g.mu, g.sigma, g.mu, g.sigma, m).distance, 0.0, 1e-9);
  }
}

TEST(FrechetMetrics, SingularCovariancesAgreeBetweenMethods) {
  // N < D: both covariances singular, as for 500 images and 2048-d features. Factored (pivoted
  // Cholesky) and Features (N x N product) must agree with Reference (general eigenvalues).
  struct Case {
    int64_t d, n1, n2;
  };
  for (const auto c : {Case{64, 20, 30}, Case{256, 100, 120}, Case{256, 300, 40}, Case{96, 200, 250}}) {
    auto g = at::make_generator<at::CPUGeneratorImpl>(static_cast<uint64_t>(c.d + c.n1));
    const auto mix = torch::randn({c.d, c.d}, g, torch::kFloat64) / std::sqrt(static_cast<double>(c.d));
    const auto fa = torch::relu(torch::matmul(torch::randn({c.n1, c.d}, g, torch::kFloat64), mix));
    const auto fb = torch::relu(torch::matmul(torch::randn({c.n2, c.d}, g, torch::kFloat64), mix) * 1.3 + 0.1);
    const auto a = gaussian_statistics(fa), b = gaussian_statistics(fb);
    const auto r = frechet_distance(a.mu, a.sigma, b.mu, b.sigma, SqrtmMethod::Reference);
    const auto f = frechet_distance(a.mu, a.sigma, b.mu, b.sigma, SqrtmMethod::Factored);
    const auto x = frechet_distance_features(fa, fb);
    const std::string name = std::to_string(c.d) + "d_" + std::to_string(c.n1) + "x" + std::to_string(c.n2);
    test::record("rel_factored_vs_reference_" + name, test::rel_diff(f.distance, r.distance));
    test::record("rel_features_vs_reference_" + name, test::rel_diff(x.distance, r.distance));
    EXPECT_EQ(f.method, SqrtmMethod::Factored) << name;
    EXPECT_EQ(x.method, c.n1 > c.d && c.n2 > c.d ? SqrtmMethod::Factored : SqrtmMethod::Features) << name;
    EXPECT_LT(test::rel_diff(f.distance, r.distance), 1e-6) << name << ": " << f.distance << " vs " << r.distance;
    EXPECT_LT(test::rel_diff(x.distance, r.distance), 1e-6) << name << ": " << x.distance << " vs " << r.distance;
    EXPECT_LT(test::rel_diff(x.distance, f.distance), 1e-9) << name;
    EXPECT_FALSE(f.used_offset);
  }
}

TEST(FrechetMetrics, FactoredHandlesRankZeroAndIndefinite) {
  const auto mu = torch::zeros({4}, torch::kFloat64);
  const auto zero = torch::zeros({4, 4}, torch::kFloat64);
  EXPECT_NEAR(frechet_distance(mu, zero, mu, torch::eye(4, torch::kFloat64)).distance, 4.0, 1e-12);
  // [[0,1],[1,0]] block: zero diagonal but indefinite -> Reference -> the official imaginary check
  auto s = torch::zeros({4, 4}, torch::kFloat64);
  s[0][1] = s[1][0] = 1.0;
  EXPECT_THROW(frechet_distance(mu, s, mu, torch::eye(4, torch::kFloat64)), Error);
}

TEST(FrechetMetrics, OneImageIsAnError) {
  EXPECT_THROW(gaussian_statistics(torch::ones({1, 8})), Error);
}

TEST(FrechetMetrics, MismatchedDimensionsAreAnError) {
  const auto a = torch::zeros({4}), b = torch::zeros({5});
  EXPECT_THROW(frechet_distance(a, torch::eye(4), b, torch::eye(5)), Error);
}

TEST(FrechetMetrics, ImaginaryComponentIsAnError) {
  // sigma1 = -I is no covariance: sqrt(S1 S2) = i·I, imaginary part 1 > 1e-3.
  const auto mu = torch::zeros({3}, torch::kFloat64);
  for (auto m : {SqrtmMethod::Reference, SqrtmMethod::Factored}) {
    try {
      frechet_distance(mu, -torch::eye(3, torch::kFloat64), mu, torch::eye(3, torch::kFloat64), m);
      FAIL() << "expected an imaginary-component error";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("imaginary"), std::string::npos);
    }
  }
}

}  // namespace
