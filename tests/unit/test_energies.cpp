// EGSDE energies: the closed-form low-pass gradient against autograd through the official-order
// Resizer forward, and small known answers (no fixtures: the reference is autograd / algebra).
#include <gtest/gtest.h>

#include <sstream>

#include "common/test_util.h"
#include "guidance/energies.h"

using namespace egsde;

namespace {

torch::Tensor autograd_lowpass_l2(const LowPass& lp, const torch::Tensor& y, const torch::Tensor& xt) {
  auto yg = y.detach().requires_grad_(true);
  auto energy = sum_squares(lp(xt), lp(yg));  // the official s2 = neg_l2 energy
  return torch::autograd::grad(std::vector<torch::Tensor>{energy.sum()}, std::vector<torch::Tensor>{yg})[0];
}

TEST(Energies, LowPassClosedFormEqualsAutograd) {
  torch::manual_seed(3);
  for (auto [size, down_N, batch] : {std::tuple<int64_t, int64_t, int64_t>{32, 4, 3}, {64, 8, 2}, {256, 32, 1}}) {
    const LowPass lp = make_lowpass(size, down_N);
    const auto y = torch::randn({batch, 3, size, size}), xt = torch::randn({batch, 3, size, size});
    const auto t = torch::zeros({batch});
    const auto closed = lowpass_energy(lp, FaithfulScore::NegL2)(y, xt, t);
    const double err = test::rel_error(closed, autograd_lowpass_l2(lp, y, xt));
    RecordProperty("rel_error_" + std::to_string(size) + "_" + std::to_string(down_N), (std::ostringstream() << err).str());
    EXPECT_LT(err, 1e-6) << size << "/" << down_N;
  }
}

TEST(Energies, CosineSimilarityOfATensorWithItselfIsOne) {
  torch::manual_seed(4);
  const auto x = torch::randn({2, 8, 5, 7});
  EXPECT_TRUE(torch::allclose(channel_cosine_similarity(x, x), torch::ones({2}), 1e-6, 1e-6));
  EXPECT_TRUE(torch::allclose(channel_cosine_similarity(x, -x), -torch::ones({2}), 1e-6, 1e-6));
}

TEST(Energies, RealismNegL2WithIdentityFeaturesIsMinusTwiceTheDifference) {
  torch::manual_seed(5);
  const auto y = torch::randn({2, 3, 8, 8}), xt = torch::randn({2, 3, 8, 8});
  const FeatureFn identity = [](const torch::Tensor& x, const torch::Tensor&) { return x * 1.0; };
  const auto g = realism_energy(identity, RealismScore::NegL2)(y, xt, torch::zeros({2}));
  EXPECT_TRUE(torch::allclose(g, -2 * (y - xt), 1e-6, 1e-6));
  EXPECT_FALSE(g.requires_grad());
}

TEST(Energies, RealismGradientLeavesNoWeightGradients) {
  torch::manual_seed(6);
  torch::nn::Conv2d conv(torch::nn::Conv2dOptions(3, 4, 3).padding(1));
  const FeatureFn dse = [conv](const torch::Tensor& x, const torch::Tensor&) mutable { return conv->forward(x); };
  const auto y = torch::randn({1, 3, 8, 8}), xt = torch::randn({1, 3, 8, 8});
  const auto g = realism_energy(dse, RealismScore::Cosine)(y, xt, torch::zeros({1}));
  EXPECT_EQ(g.sizes(), y.sizes());
  EXPECT_FALSE(conv->weight.grad().defined());
}

// GuidanceLevers change how, not what: the official way (trainable DSE, x_t inside autograd,
// low-pass by autograd) gives the fast path's gradients.
TEST(Energies, LeversGiveTheSameGradients) {
  torch::manual_seed(7);
  torch::nn::Conv2d conv(torch::nn::Conv2dOptions(3, 4, 3).padding(1));
  const FeatureFn dse = [conv](const torch::Tensor& x, const torch::Tensor&) mutable { return conv->forward(x); };
  const auto y = torch::randn({2, 3, 16, 16}), xt = torch::randn({2, 3, 16, 16}), t = torch::zeros({2});
  GuidanceLevers official;
  official.xt_outside_autograd = false;
  official.closed_form_lowpass = false;
  for (const auto s1 : {RealismScore::Cosine, RealismScore::NegL2}) {
    const auto fast = realism_energy(dse, s1)(y, xt, t), slow = realism_energy(dse, s1, official)(y, xt, t);
    EXPECT_LT(test::rel_error(slow, fast), 1e-6);
  }
  const LowPass lp = make_lowpass(16, 4);
  for (const auto s2 : {FaithfulScore::NegL2, FaithfulScore::Cosine}) {
    const auto fast = lowpass_energy(lp, s2)(y, xt, t), slow = lowpass_energy(lp, s2, official)(y, xt, t);
    EXPECT_LT(test::rel_error(slow, fast), 1e-6);
  }
  EXPECT_FALSE(conv->weight.grad().defined());
}

}  // namespace
