// KID against an independent numpy implementation (scripts/fixtures/make_kid_fixtures.py) on
// synthetic features with the subsets given explicitly, so both sides use the same ones.
#include <gtest/gtest.h>

#include "common/test_util.h"
#include "core/error.h"
#include "core/json_io.h"
#include "core/npy.h"
#include "metrics/kid.h"

using namespace egsde;
using namespace egsde::metrics;

namespace {

TEST(KidParity, MatchesNumpyOnFixedSubsets) {
  const auto ref = read_json_file(test::fixture("metrics/kid/kid.json"));
  const auto a = read_npy(test::fixture("metrics/kid/a.npy")), b = read_npy(test::fixture("metrics/kid/b.npy"));
  const auto ia = read_npy(test::fixture("metrics/kid/subsets_a.npy"));
  const auto ib = read_npy(test::fixture("metrics/kid/subsets_b.npy"));
  std::vector<torch::Tensor> sa, sb;
  for (int64_t s = 0; s < ia.size(0); ++s) {
    sa.push_back(ia[s].to(torch::kInt64));
    sb.push_back(ib[s].to(torch::kInt64));
  }
  const auto r = kernel_inception_distance(a, b, sa, sb);
  ASSERT_EQ(r.values.size(), ref["values"].size());
  for (size_t s = 0; s < r.values.size(); ++s) EXPECT_LT(test::rel_diff(r.values[s], ref["values"][s]), 1e-6) << s;
  EXPECT_LT(test::rel_diff(r.mean, ref["mean"]), 1e-6);
  EXPECT_LT(test::rel_diff(r.std, ref["std"]), 1e-6);
  // the unbiased estimate can be negative for samples of one distribution
  const double same = mmd2_unbiased_poly3(a.slice(0, 0, 20), a.slice(0, 20, 40));
  EXPECT_LT(test::rel_diff(same, ref["a_first_vs_second_20"]), 1e-6);
}

TEST(Kid, SeededSubsetsAreReproducibleAndCapped) {
  const auto a = read_npy(test::fixture("metrics/kid/a.npy")), b = read_npy(test::fixture("metrics/kid/b.npy"));
  KidOptions opt;
  opt.subsets = 10;
  opt.seed = 3;
  const auto r1 = kernel_inception_distance(a, b, opt), r2 = kernel_inception_distance(a, b, opt);
  EXPECT_EQ(r1.values, r2.values);
  EXPECT_EQ(r1.subset_size, 45);  // min(1000, 60, 45)
  EXPECT_EQ(r1.subsets, 10);
  opt.seed = 4;
  EXPECT_NE(kernel_inception_distance(a, b, opt).values, r1.values);
}

TEST(Kid, BadInputsAreErrors) {
  const auto a = torch::rand({5, 8}, torch::kFloat64);
  EXPECT_THROW(kernel_inception_distance(a, torch::rand({5, 9}, torch::kFloat64)), Error);
  EXPECT_THROW(kernel_inception_distance(a, torch::rand({1, 8}, torch::kFloat64)), Error);
}

}  // namespace
