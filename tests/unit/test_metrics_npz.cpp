// .npz reading/writing (metrics/npz.h, metrics/fid_stats.h). Fixtures from
// scripts/fixtures/make_metric_fixtures.py: numpy.savez and numpy.savez_compressed of (mu, sigma)
// and the same arrays as plain .npy.
#include <gtest/gtest.h>

#include <fstream>

#include "common/test_util.h"
#include "core/error.h"
#include "core/npy.h"
#include "metrics/fid_stats.h"
#include "metrics/npz.h"

using namespace egsde;
using namespace egsde::metrics;

namespace {

TEST(MetricsNpz, ReadsNumpySavezAndSavezCompressed) {
  const auto mu = read_npy(test::fixture("metrics/stats_mu.npy"));
  const auto sigma = read_npy(test::fixture("metrics/stats_sigma.npy"));
  const auto a = read_fid_stats_npz(test::fixture("metrics/stats_savez.npz"));
  EXPECT_TRUE(torch::equal(a.mu, mu));
  EXPECT_TRUE(torch::equal(a.sigma, sigma));
  const auto b = read_fid_stats_npz(test::fixture("metrics/stats_compressed.npz"));  // mu stored as float32
  EXPECT_TRUE(torch::equal(b.mu, mu.to(torch::kFloat32).to(torch::kFloat64)));
  EXPECT_TRUE(torch::equal(b.sigma, sigma));
}

TEST(MetricsNpz, WriteReadRoundTrip) {
  const auto dir = test::temp_dir("npz");
  torch::manual_seed(0);
  Gaussian g{torch::randn({7}, torch::kFloat64), torch::randn({7, 7}, torch::kFloat64)};
  write_fid_stats_npz(dir / "s.npz", g);
  const auto back = read_fid_stats_npz(dir / "s.npz");
  EXPECT_TRUE(torch::equal(back.mu, g.mu));
  EXPECT_TRUE(torch::equal(back.sigma, g.sigma));
  std::filesystem::remove_all(dir);
}

TEST(MetricsNpz, MissingKeyOrGarbageIsOneLineError) {
  const auto dir = test::temp_dir("npz_bad");
  write_npz(dir / "only_mu.npz", {{"mu", torch::zeros({3}, torch::kFloat64)}});
  std::ofstream(dir / "garbage.npz") << "this is not a zip file at all, sorry";
  for (const char* f : {"only_mu.npz", "garbage.npz", "absent.npz"}) {
    try {
      read_fid_stats_npz(dir / f);
      FAIL() << f;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(f), std::string::npos) << e.what();
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
    }
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
