// The samplers' NaN/Inf check (samplers/egsde.h FiniteCheck): at once on the CPU, deferred on
// CUDA (recorded on the device, read every kReadEvery steps and at the end of a repeat). The
// deferred bookkeeping is exercised here on CPU tensors; expected steps are set by hand.
#include <gtest/gtest.h>

#include "common/test_util.h"

#include <limits>

#include "core/error.h"
#include "samplers/egsde.h"

using namespace egsde;

namespace {

const torch::Tensor kFinite = torch::zeros({2, 3, 4, 4});
const torch::Tensor kNan = torch::full({2, 3, 4, 4}, std::numeric_limits<float>::quiet_NaN());

TEST(FiniteCheck, CpuStopsAtTheFirstBadStep) {
  FiniteCheck check(true);
  check.after_step(kFinite, 0, 9);
  const std::string msg = test::error_of([&] { check.after_step(kNan, 0, 8); });
  EXPECT_NE(msg.find("step 8 (repeat 0)"), std::string::npos) << msg;
}

TEST(FiniteCheck, DeferredNamesTheFirstBadStepAtFinish) {
  FiniteCheck check(true, /*deferred_on_cpu=*/true);
  for (int64_t i = 20; i > 12; --i) check.after_step(kFinite, 1, i);
  check.after_step(kNan, 1, 12);  // recorded, not yet read
  check.after_step(kNan, 1, 11);  // a later bad step does not replace the first
  check.after_step(kFinite, 1, 10);
  const std::string msg = test::error_of([&] { check.finish(1); });
  EXPECT_NE(msg.find("step 12 (repeat 1)"), std::string::npos) << msg;
}

TEST(FiniteCheck, DeferredReadsEveryKReadEverySteps) {
  FiniteCheck check(true, /*deferred_on_cpu=*/true);
  check.after_step(kNan, 0, 999);
  for (int64_t k = 1; k < FiniteCheck::kReadEvery - 1; ++k) check.after_step(kFinite, 0, 999 - k);  // no read yet
  const std::string msg = test::error_of([&] { check.after_step(kFinite, 0, 999 - FiniteCheck::kReadEvery + 1); });
  EXPECT_NE(msg.find("step 999"), std::string::npos) << msg;
}

TEST(FiniteCheck, DisabledAndFiniteRunsPass) {
  FiniteCheck off(false), on(true, true);
  off.after_step(kNan, 0, 3);
  off.finish(0);
  for (int64_t i = 60; i >= 0; --i) on.after_step(kFinite, 0, i);
  EXPECT_EQ(test::error_of([&] { on.finish(0); }), "");
}

}  // namespace
