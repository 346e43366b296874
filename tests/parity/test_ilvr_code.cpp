// ILVR and guided-diffusion's p_sample against the ILVR code (github jychoi118/ilvr_adm).
// Expected values come from scripts/fixtures/make_ilvr_fixtures.py, which runs the ILVR code
// (create_model, create_gaussian_diffusion respaced to 10 of 1000 linear steps, p_sample,
// p_sample_loop with its ILVR refinement, resizer.Resizer) on CPU in float32 with a 64 px
// learn_sigma UNet whose parameters it re-drew (tests/fixtures/ilvr/):
//   - step_*: one p_sample per variance type on recorded noise;
//   - lowpass_*: the ILVR code's up(down(x)) (cubic) for down_N 8;
//   - loop_*/sample.npy: the whole loop after torch.manual_seed(seed), from pure noise at T
//     and from the source perturbed to M < T; the C++ side replays torch's CPU generator.
#include <gtest/gtest.h>

#include "common/test_util.h"
#include "core/checkpoint.h"
#include "core/json_io.h"
#include "core/npy.h"
#include "diffusion/respace.h"
#include "diffusion/schedule.h"
#include "models/adm_unet.h"
#include "samplers/ilvr.h"

using namespace egsde;

namespace {

torch::Tensor fx(const std::string& name) { return read_npy(test::fixture("ilvr/" + name)).to(test::device()); }

// The fixture's UNet (weights.pt loaded strictly), its whole output (ε, then v).
EpsFn fixture_model() {
  AdmUNet model(AdmUNetConfig::from_json(read_json_file(test::fixture("ilvr/net/config.json"))));
  const auto weights = test::fixture("ilvr/net/weights.pt");
  load_state_dict(*model, read_state_dict(weights), weights.string());
  model->eval();
  model->to(test::device());
  return [model](const torch::Tensor& x, const torch::Tensor& t) mutable { return model->forward(x, t); };
}

// create_gaussian_diffusion(steps=1000, noise_schedule="linear", timestep_respacing="10")
GaussianDiffusion fixture_diffusion(ModelVarType var) {
  const auto diff = read_json_file(test::fixture("ilvr/diffusion.json"));
  ScheduleConfig linear;  // linear 1e-4..0.02
  linear.num_diffusion_timesteps = diff.at("steps").get<int64_t>();
  return guided_diffusion(
      linear, space_timesteps(linear.num_diffusion_timesteps, diff.at("timestep_respacing").get<std::string>()), var);
}

// Returns the recorded tensor (p_sample's one draw).
class RecordedNoise : public NoiseSource {
 public:
  explicit RecordedNoise(torch::Tensor z) : z_(std::move(z)) {}
  torch::Tensor randn_like(const torch::Tensor& like) override {
    EXPECT_EQ(draws++, 0) << "p_sample draws once";
    return z_.to(like.device(), like.scalar_type());
  }
  int draws = 0;

 private:
  torch::Tensor z_;
};

// Torch's CPU generator after manual_seed, counting the draws.
class CountingNoise : public NoiseSource {
 public:
  explicit CountingNoise(uint64_t seed) : gen_(seed) {}
  torch::Tensor randn_like(const torch::Tensor& like) override {
    ++draws;
    return gen_.randn_like(like);
  }
  int64_t draws = 0;

 private:
  OfficialNoise gen_;
};

}  // namespace

TEST(IlvrCode, PSampleMatchesForEachVarianceType) {
  const EpsFn model = fixture_model();
  const auto first3 = [model](const torch::Tensor& x, const torch::Tensor& t) { return model(x, t).slice(1, 0, 3); };
  const auto x = fx("step_x.npy");
  const int64_t i = fx("step_t.npy")[0].item<int64_t>();
  for (const auto& [name, var] : {std::pair{"learned_range", ModelVarType::LearnedRange},
                                  std::pair{"fixed_large", ModelVarType::FixedLarge},
                                  std::pair{"fixed_small", ModelVarType::FixedSmall}}) {
    RecordedNoise noise(fx("step_noise.npy"));
    const PSample out = p_sample(var == ModelVarType::LearnedRange ? model : EpsFn(first3), fixture_diffusion(var), i,
                                 x, noise, /*clip_denoised=*/true);
    test::expect_matches_fixture(out.sample, std::string("ilvr/step_") + name + "_sample.npy", name,
                                 std::string("rel_error_") + name);
    test::expect_matches_fixture(out.pred_xstart, "ilvr/step_pred_xstart.npy", name, "rel_error_pred_xstart");
    EXPECT_EQ(noise.draws, 1);
  }
}

TEST(IlvrCode, CubicLowPassMatches) {
  const LowPass lp = make_lowpass(64, 8, false, ResizeKernel::Cubic).to(test::device());
  test::expect_matches_fixture(lp(fx("lowpass_in.npy")), "ilvr/lowpass_out.npy", "cubic low-pass");
}

class IlvrCodeLoop : public ::testing::TestWithParam<std::string> {};

TEST_P(IlvrCodeLoop, MatchesTheIlvrLoop) {
  const std::string dir = "ilvr/loop_" + GetParam();
  const auto c = read_json_file(test::fixture(dir + "/case.json"));
  const GaussianDiffusion d = fixture_diffusion(ModelVarType::LearnedRange);
  ASSERT_EQ(d.num_timesteps(), c.at("num_timesteps").get<int64_t>());
  IlvrConfig cfg;
  cfg.t = c.at("start").get<int64_t>();
  cfg.range_t = c.at("range_t").get<int64_t>();
  cfg.clip_denoised = c.at("clip_denoised").get<bool>();
  const auto x0 = fx("ref.npy");
  const LowPass lp = make_lowpass(64, c.at("down_N").get<int64_t>(), false, ResizeKernel::Cubic).to(test::device());
  CountingNoise noise(c.at("seed").get<uint64_t>());
  const auto out = ilvr_sample(x0, fixture_model(), lp, d, cfg, noise);
  ASSERT_EQ(out.size(), 1u);
  test::expect_matches_fixture(out[0], dir + "/sample.npy", GetParam());
  EXPECT_EQ(noise.draws, static_cast<int64_t>(c.at("draws").size()));  // the same draws in the same order
}

INSTANTIATE_TEST_SUITE_P(Fixtures, IlvrCodeLoop, ::testing::Values("noise", "i2i"));

// range_t ≥ t refines nothing and draws no reference noise: the loop is the p_sample chain.
TEST(IlvrCode, NoRefinementAtOrBelowRangeT) {
  const GaussianDiffusion d = fixture_diffusion(ModelVarType::LearnedRange);
  const EpsFn model = fixture_model();
  const auto x0 = fx("ref.npy");
  IlvrConfig cfg;
  cfg.t = 3;
  cfg.range_t = 3;
  CountingNoise a(7), b(7);
  const auto out = ilvr_sample(x0, model, make_lowpass(64, 8, false, ResizeKernel::Cubic).to(test::device()), d,
                               cfg, a)[0];
  auto y = q_sample(d, 2, x0, b.randn_like(x0));
  for (int64_t i = 2; i >= 0; --i) y = p_sample(model, d, i, y, b).sample;
  EXPECT_TRUE(torch::equal(out, y));
  EXPECT_EQ(a.draws, 4);
}
