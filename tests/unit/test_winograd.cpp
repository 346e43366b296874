// Winograd 3x3 convolutions (models/winograd.h, models/conv.h) against LibTorch's direct
// convolution on the same random inputs: forward and the gradient to the input. The expected
// values are LibTorch's own conv2d and autograd (the direct path, whose parity with the official
// networks tests/parity covers); the tolerance 5e-6 is a bound on Winograd F(4x4,3x3) rounding in
// float32 (measured here: ~1e-6). Where oneDNN has no Winograd (no AVX-512, or built without
// libdnnl-dev) the value tests are skipped and the fallback tests still run.
#include <gtest/gtest.h>

#include "common/test_util.h"
#include "core/error.h"
#include "models/conv.h"
#include "models/winograd.h"

using namespace egsde;

namespace {

constexpr double kTol = 5e-6;

Conv make_conv(int64_t in, int64_t out, int64_t stride = 1, uint64_t seed = 0) {
  torch::manual_seed(seed);
  Conv conv(torch::nn::Conv2dOptions(in, out, 3).stride(stride).padding(1));
  for (auto& p : conv->parameters()) p.set_requires_grad(false);  // frozen, as in sampling
  return conv;
}

TEST(ConvAlgoNames, ParseAndPrint) {
  EXPECT_EQ(parse_conv_algo("direct"), ConvAlgo::Direct);
  EXPECT_EQ(parse_conv_algo("winograd"), ConvAlgo::Winograd);
  EXPECT_EQ(to_string(ConvAlgo::Winograd), "winograd");
  EXPECT_THROW(parse_conv_algo("wino"), Error);
}

TEST(Winograd, AvailabilityIsExplained) {
  EXPECT_EQ(winograd_available(), winograd_unavailable_reason().empty());
}

TEST(Winograd, ForwardMatchesDirect) {
  if (!winograd_available()) GTEST_SKIP() << winograd_unavailable_reason();
  auto conv = make_conv(32, 48);
  torch::manual_seed(1);
  const auto x = torch::randn({2, 32, 20, 24});
  torch::NoGradGuard no_grad;
  const auto direct = conv->forward(x);
  const int64_t before = winograd_calls();
  conv->algo = ConvAlgo::Winograd;
  const auto wino = conv->forward(x);
  EXPECT_EQ(winograd_calls(), before + 1);
  ASSERT_EQ(wino.sizes(), direct.sizes());
  const double err = test::rel_error(wino, direct);
  RecordProperty("rel_error", std::to_string(err));
  EXPECT_LT(err, kTol);
  EXPECT_GT(err, 0.0) << "bit-identical: the Winograd path did not run";
}

TEST(Winograd, InputGradientMatchesDirectAutograd) {
  if (!winograd_available()) GTEST_SKIP() << winograd_unavailable_reason();
  auto conv = make_conv(32, 32);
  torch::manual_seed(2);
  const auto x = torch::randn({1, 32, 16, 16});
  const auto g = torch::randn({1, 32, 16, 16});
  const auto grad_of = [&](ConvAlgo algo) {
    conv->algo = algo;
    auto xg = x.clone().requires_grad_(true);
    // two layers, so the backward chains through a Winograd node into another
    auto out = conv->forward(torch::silu(conv->forward(xg)));
    return torch::autograd::grad({(out * g).sum()}, {xg})[0];
  };
  const auto direct = grad_of(ConvAlgo::Direct);
  const int64_t before = winograd_calls();
  const auto wino = grad_of(ConvAlgo::Winograd);
  EXPECT_EQ(winograd_calls(), before + 4);  // two forwards, two backward-data
  const double err = test::rel_error(wino, direct);
  RecordProperty("rel_error", std::to_string(err));
  EXPECT_LT(err, kTol);
}

TEST(Winograd, WeightsWrittenInPlaceAreSeen) {
  if (!winograd_available()) GTEST_SKIP() << winograd_unavailable_reason();
  auto conv = make_conv(16, 16);
  conv->algo = ConvAlgo::Winograd;
  torch::manual_seed(3);
  const auto x = torch::randn({1, 16, 8, 8});
  torch::NoGradGuard no_grad;
  const auto first = conv->forward(x);
  conv->weight.mul_(2);  // e.g. load_state_dict copying new weights into the same tensor
  conv->bias.zero_();
  const auto second = conv->forward(x);
  conv->algo = ConvAlgo::Direct;
  EXPECT_LT(test::rel_error(second, conv->forward(x)), kTol);
  EXPECT_GT(test::rel_error(second, first), 0.1);
}

TEST(Winograd, FallsBackToDirectWhereItDoesNotApply) {
  torch::manual_seed(4);
  torch::NoGradGuard no_grad;
  const auto x = torch::randn({1, 16, 16, 16});
  // stride 2 (ADM's Downsample) and a 1x1 kernel (skip connections): direct, bit for bit
  for (const auto& o : {torch::nn::Conv2dOptions(16, 16, 3).stride(2).padding(1), torch::nn::Conv2dOptions(16, 32, 1)}) {
    Conv conv(o);
    const auto direct = conv->forward(x);
    const int64_t before = winograd_calls();
    conv->algo = ConvAlgo::Winograd;
    EXPECT_TRUE(torch::equal(conv->forward(x), direct));
    EXPECT_EQ(winograd_calls(), before);
  }
}

TEST(Winograd, NotForWeightsThatNeedGradients) {
  torch::manual_seed(5);
  torch::nn::Conv2d trainable(torch::nn::Conv2dOptions(16, 16, 3).padding(1));
  const auto x = torch::randn({1, 16, 8, 8});
  EXPECT_FALSE(winograd_conv2d(x, trainable->weight, trainable->bias).defined());  // training: direct
  torch::NoGradGuard no_grad;
  EXPECT_EQ(winograd_conv2d(x, trainable->weight, trainable->bias).defined(), winograd_available());
}

}  // namespace
