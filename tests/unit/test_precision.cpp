// Precision (issue 8): the names at the CLI edge, PrecisionScope's effect on autocast and its
// restoration, and a whole EGSDE translation of the tiny translate fixture (random-weight ADM UNet +
// DSE, 64×64, tests/fixtures/translate) under bf16: float32 out, close to fp32 and not equal to it
// (autocast really engaged). The expected values are egsde's own fp32 results; the bound is the
// opt-in's promise, not a parity criterion.
#include <gtest/gtest.h>

#include "common/test_util.h"
#include "core/error.h"
#include "core/json_io.h"
#include "core/precision.h"
#include "translate/method_sampler.h"

using namespace egsde;

namespace {

TEST(Precision, ParsesNamesAndSuggestsTheNearest) {
  EXPECT_EQ(parse_precision("bf16"), Precision::Bf16);
  EXPECT_EQ(to_string(parse_precision("tf32")), "tf32");
  try {
    parse_precision("bf61");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("did you mean 'bf16'"), std::string::npos) << e.what();
  }
}

TEST(Precision, Bf16ScopeAutocastsConvolutionsAndRestores) {
  torch::nn::Conv2d conv(torch::nn::Conv2dOptions(3, 4, 3).padding(1));
  const auto x = torch::randn({1, 3, 8, 8});
  {
    const PrecisionScope scope(Precision::Bf16, torch::kCPU);
    EXPECT_EQ(conv->forward(x).scalar_type(), torch::kBFloat16);
    {
      const PrecisionScope inner(Precision::Fp32, torch::kCPU);  // fp32 does not switch autocast off
      EXPECT_EQ(conv->forward(x).scalar_type(), torch::kBFloat16);
    }
    EXPECT_EQ(conv->forward(x).scalar_type(), torch::kBFloat16);
  }
  EXPECT_EQ(conv->forward(x).scalar_type(), torch::kFloat32);
}

std::vector<torch::Tensor> translate_fixture(Precision p, GuidanceLevers levers = {}) {
  auto j = read_json_file(test::fixture("translate/profile.json"));
  const Profile profile = parse_profile(j, test::fixture("translate"), "translate fixture");
  MethodSamplerOptions so;
  so.respace = 100;  // 3 reverse steps from t = 30
  so.precision = p;
  so.levers = levers;
  const MethodSampler sampling(profile, so);
  torch::manual_seed(0);
  const auto x0 = torch::rand({2, 3, 64, 64}) * 2 - 1;
  PerSampleNoise noise = PerSampleNoise::for_images(1234, 0, {"a.png", "b.png"});
  return sampling.sample(x0, noise, {});
}

TEST(Precision, Bf16TranslationStaysFloat32AndCloseToFp32) {
  const auto fp32 = translate_fixture(Precision::Fp32).at(0);
  const auto bf16 = translate_fixture(Precision::Bf16).at(0);
  EXPECT_EQ(bf16.scalar_type(), torch::kFloat32);
  const double drift = test::rel_error(bf16, fp32);
  RecordProperty("bf16_rel_drift", std::to_string(drift));
  EXPECT_GT(drift, 0.0);
  EXPECT_LT(drift, 0.05);
}

TEST(Precision, OfficialWayGuidanceGivesTheSameTranslation) {
  const auto fast = translate_fixture(Precision::Fp32).at(0);
  GuidanceLevers official;
  official.frozen_dse = false;
  official.xt_outside_autograd = false;
  official.closed_form_lowpass = false;
  const auto slow = translate_fixture(Precision::Fp32, official).at(0);
  EXPECT_LT(test::rel_error(slow, fast), 1e-5);
}

}  // namespace
