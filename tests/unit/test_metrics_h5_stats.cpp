// FID statistics as HDF5 (.h5): round trip of mu, sigma and the provenance attributes, the
// dispatch by extension, and one-line errors naming the file.
#include <gtest/gtest.h>

#include <fstream>

#include "common/test_util.h"
#include "core/error.h"
#include "metrics/fid_stats.h"
#include "metrics/h5_stats.h"

using namespace egsde;
using namespace egsde::metrics;
namespace fs = std::filesystem;

namespace {

TEST(MetricsH5Stats, RoundTripWithAttributes) {
  const auto dir = test::temp_dir("h5_stats");
  torch::manual_seed(0);
  const auto x = torch::randn({20, 7}, torch::kFloat64);
  const Gaussian g{x.mean(0), torch::matmul(x.t(), x)};
  write_fid_stats(dir / "s.h5", g, {"official-celeba", "0123456789abcdef", 20});
  FidStatsMeta meta;
  const auto back = read_fid_stats(dir / "s.h5", &meta);
  EXPECT_TRUE(torch::equal(back.mu, g.mu));
  EXPECT_TRUE(torch::equal(back.sigma, g.sigma));
  EXPECT_EQ(meta.protocol, "official-celeba");
  EXPECT_EQ(meta.weights, "0123456789abcdef");
  EXPECT_EQ(meta.count, 20);
  EXPECT_TRUE(is_stats_file(dir / "s.h5"));
  EXPECT_TRUE(is_stats_file(dir / "s.npz"));
  EXPECT_FALSE(is_stats_file(dir / "imgs"));
  // overwriting is atomic: no temp file is left next to the target
  write_fid_stats(dir / "s.h5", g, {});
  int files = 0;
  for (const auto& e : fs::directory_iterator(dir)) files += e.is_regular_file();
  EXPECT_EQ(files, 1);
  fs::remove_all(dir);
}

TEST(MetricsH5Stats, ErrorsNameTheFile) {
  const auto dir = test::temp_dir("h5_stats_bad");
  std::ofstream(dir / "junk.h5") << "not hdf5";
  for (const auto& f : {dir / "junk.h5", dir / "missing.h5"}) {
    try {
      read_fid_stats(f);
      FAIL() << f;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(f.filename().string()), std::string::npos) << e.what();
    }
  }
  write_fid_stats_h5(dir / "only_mu.h5", Gaussian{torch::zeros({3}, torch::kFloat64), torch::zeros({2, 2}, torch::kFloat64)});
  EXPECT_THROW(read_fid_stats(dir / "only_mu.h5"), Error);  // sigma [2,2] vs mu [3]
  EXPECT_THROW(write_fid_stats(dir / "s.txt", Gaussian{}), Error);
  fs::remove_all(dir);
}

}  // namespace
