// RNG protocols: `official` reproduces torch.manual_seed + randn (C++ and Python draws from a
// seeded CPU generator are bit-identical; checked against Python in tests/parity/test_egsde_sampler.cpp);
// `per-sample` makes every image's result independent of batch size and order (bit-identical
// here, where every op is batch-invariant: per-image ε and features, LowPass per_image). Expected
// values are the sampler's own runs (ILVR: tests/parity/test_ilvr_code.cpp).
#include <gtest/gtest.h>

#include <map>

#include "common/test_util.h"
#include "guidance/energies.h"
#include "samplers/egsde.h"
#include "samplers/sdedit.h"

using namespace egsde;

namespace {

// A per-image ε stand-in (no cross-image ops), time dependent.
const EpsFn kEps = [](const torch::Tensor& y, const torch::Tensor& t) {
  return torch::tanh(y) * (1 + t / 1000).view({-1, 1, 1, 1});
};
const FeatureFn kFeatures = [](const torch::Tensor& x, const torch::Tensor& t) {
  return torch::sin(x) * (1 + t / 1000).view({-1, 1, 1, 1});
};

Schedule small_schedule() {
  ScheduleConfig c;
  c.num_diffusion_timesteps = 100;
  c.var_type = VarType::FixedSmall;
  return make_schedule(c);
}

TEST(RngProtocols, OfficialEqualsGlobalManualSeed) {
  OfficialNoise noise(1234);
  torch::manual_seed(1234);
  const auto like = torch::zeros({2, 3, 16, 16});
  for (int k = 0; k < 3; ++k) EXPECT_TRUE(torch::equal(noise.randn_like(like), torch::randn_like(like)));
}

TEST(RngProtocols, PerSampleSeedsDependOnSeedRepeatAndName) {
  EXPECT_EQ(per_sample_seed(1234, 0, "a.jpg"), per_sample_seed(1234, 0, "a.jpg"));
  EXPECT_NE(per_sample_seed(1234, 0, "a.jpg"), per_sample_seed(1234, 0, "b.jpg"));
  EXPECT_NE(per_sample_seed(1234, 0, "a.jpg"), per_sample_seed(1234, 1, "a.jpg"));
  EXPECT_NE(per_sample_seed(1234, 0, "a.jpg"), per_sample_seed(1235, 0, "a.jpg"));
}

// Translates `order` (indices into x0/names) in batches of the given sizes; returns name → result.
std::map<std::string, torch::Tensor> translate(const torch::Tensor& x0, const std::vector<std::string>& names,
                                               const std::vector<int64_t>& order, const std::vector<int64_t>& batches) {
  const Schedule s = small_schedule();
  EgsdeConfig cfg;
  cfg.t = 20;
  cfg.sample_step = 2;
  const std::vector<WeightedEnergy> energies = {
      {"realism", 50.0, realism_energy(kFeatures, RealismScore::Cosine)},
      {"faithful", 2.0, lowpass_energy(make_lowpass(16, 4, /*per_image=*/true), FaithfulScore::NegL2)}};
  std::map<std::string, torch::Tensor> out;
  size_t pos = 0;
  for (int64_t b : batches) {
    std::vector<int64_t> idx(order.begin() + pos, order.begin() + pos + b);
    std::vector<std::string> batch_names;
    for (int64_t i : idx) batch_names.push_back(names[i]);
    auto noise = PerSampleNoise::for_images(7, 0, batch_names);
    const auto res = egsde_sample(x0.index_select(0, torch::tensor(idx)), kEps, energies, s, cfg, noise);
    for (size_t k = 0; k < idx.size(); ++k) out[batch_names[k]] = res.back()[k];
    pos += b;
  }
  return out;
}

TEST(RngProtocols, PerSampleResultsDoNotDependOnBatchSizeOrOrder) {
  torch::manual_seed(0);
  const auto x0 = torch::rand({4, 3, 16, 16}) * 2 - 1;
  const std::vector<std::string> names = {"a.jpg", "b.jpg", "c.png", "d.jpg"};
  const auto one_batch = translate(x0, names, {0, 1, 2, 3}, {4});
  const auto singles = translate(x0, names, {0, 1, 2, 3}, {1, 1, 1, 1});
  const auto uneven_reversed = translate(x0, names, {3, 2, 1, 0}, {3, 1});
  for (const auto& n : names) {
    EXPECT_TRUE(torch::equal(one_batch.at(n), singles.at(n))) << n;
    EXPECT_TRUE(torch::equal(one_batch.at(n), uneven_reversed.at(n))) << n;
  }
  EXPECT_FALSE(torch::equal(one_batch.at("a.jpg"), one_batch.at("b.jpg")));
}

TEST(Samplers, SdeditSkipPathEqualsZeroWeightEgsde) {
  torch::manual_seed(1);
  const auto x0 = torch::rand({2, 3, 16, 16}) * 2 - 1;
  const Schedule s = small_schedule();
  EgsdeConfig cfg;
  cfg.t = 30;
  OfficialNoise n1(9), n2(9);
  const std::vector<WeightedEnergy> zero = {
      {"faithful", 0.0, lowpass_energy(make_lowpass(16, 4), FaithfulScore::NegL2)}};
  EXPECT_TRUE(torch::equal(sdedit_sample(x0, kEps, s, cfg, n1)[0], egsde_sample(x0, kEps, zero, s, cfg, n2)[0]));
}

TEST(Samplers, NonFiniteSampleIsReportedWithTheStep) {
  const auto x0 = torch::zeros({1, 3, 16, 16});
  const Schedule s = small_schedule();
  EgsdeConfig cfg;
  cfg.t = 5;
  OfficialNoise noise(1);
  const EpsFn bad = [](const torch::Tensor& y, const torch::Tensor& t) {
    return t[0].item<double>() < 3 ? y * std::numeric_limits<float>::quiet_NaN() : y * 0;
  };
  try {
    sdedit_sample(x0, bad, s, cfg, noise);
    FAIL() << "expected an error";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("step 2"), std::string::npos) << e.what();
  }
}

}  // namespace
