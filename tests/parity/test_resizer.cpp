// The low-pass Resizer against the official functions/resizer.py. Inputs and outputs come from
// scripts/fixtures/make_sampler_fixtures.py (official Resizer(in_shape, scale) forward on
// random inputs, CPU float32).
#include <gtest/gtest.h>

#include "common/test_util.h"
#include "core/json_io.h"
#include "core/npy.h"
#include "guidance/resizer.h"

using namespace egsde;

namespace {

TEST(ResizerParity, MatchesOfficialForward) {
  const auto cases = read_json_file(test::fixture("sampler/resize_cases.json"));
  ASSERT_GE(cases.size(), 4u);
  for (const auto& [name, c] : cases.items()) {
    const auto shape = c["shape"].get<std::vector<int64_t>>();
    const double scale = c["scale"].get<double>();
    const auto x = read_npy(test::fixture("sampler/resize_" + name + "_in.npy"));
    const auto ref = read_npy(test::fixture("sampler/resize_" + name + "_out.npy"));
    const Resizer r(shape[2], shape[3], scale);
    test::expect_matches(r(x), ref, name, "rel_error_" + name, 1e-6);
  }
}

TEST(Resizer, AdjointIsTheTranspose) {
  // <R x, g> = <x, Rᵀ g> for the down and up maps of the paper's setting (256, down_N = 32)
  torch::manual_seed(0);
  const LowPass lp = make_lowpass(256, 32);
  for (const Resizer* r : {&lp.down, &lp.up}) {
    auto x = torch::randn({2, 3, r->in_h(), r->in_w()}, torch::kFloat64);
    auto g = torch::randn({2, 3, r->out_h(), r->out_w()}, torch::kFloat64);
    const double lhs = ((*r)(x) * g).sum().item<double>();
    const double rhs = (x * r->adjoint(g)).sum().item<double>();
    EXPECT_NEAR(lhs, rhs, 1e-9 * std::abs(lhs) + 1e-12);
  }
}

TEST(Resizer, RejectsNonDivisibleDownN) { EXPECT_THROW(make_lowpass(30, 4), std::exception); }

}  // namespace
