// Diffusion schedule and respacing against the official code. Expected arrays come from
// scripts/fixtures/make_sampler_fixtures.py: runners/egsde.get_beta_schedule (float64) and the
// arrays EGSDE.__init__ builds (betas, logvar for fixedsmall/fixedlarge; ᾱ as (1−β).cumprod), and
// guided_diffusion/respace.space_timesteps.
#include <gtest/gtest.h>

#include "common/test_util.h"
#include "core/json_io.h"
#include "core/npy.h"
#include "diffusion/respace.h"
#include "diffusion/schedule.h"

using namespace egsde;

namespace {

torch::Tensor fx(const std::string& name) { return read_npy(test::fixture("sampler/" + name + ".npy")); }

class ScheduleParity : public ::testing::TestWithParam<std::pair<std::string, BetaSchedule>> {};

TEST_P(ScheduleParity, MatchesOfficialRunner) {
  const auto& [name, kind] = GetParam();
  const std::string p = "schedule_" + name + "_";
  ScheduleConfig c;
  c.beta_schedule = kind;
  // float64 betas: NumPy's linspace/exp; equal up to libm rounding
  const auto b64 = get_beta_schedule(kind, c.beta_start, c.beta_end, c.num_diffusion_timesteps);
  EXPECT_LT(test::rel_error(b64, fx(p + "betas64")), 1e-15) << name;

  c.var_type = VarType::FixedSmall;
  const Schedule small = make_schedule(c);
  c.var_type = VarType::FixedLarge;
  const Schedule large = make_schedule(c);
  // float32 arrays: the same float32 ops on the same values → bit-identical
  EXPECT_TRUE(torch::equal(small.betas, fx(p + "betas"))) << name;
  EXPECT_TRUE(torch::equal(small.alphas_cumprod, fx(p + "alphas_cumprod"))) << name;
  EXPECT_TRUE(torch::equal(small.logvar, fx(p + "logvar_small"))) << name;
  EXPECT_TRUE(torch::equal(large.logvar, fx(p + "logvar_large"))) << name;
  EXPECT_EQ(small.num_timesteps(), 1000);
  EXPECT_EQ(small.timestep_map.back(), 999);
}

INSTANTIATE_TEST_SUITE_P(AllKinds, ScheduleParity,
                         ::testing::Values(std::make_pair("linear", BetaSchedule::Linear),
                                           std::make_pair("quad", BetaSchedule::Quad),
                                           std::make_pair("const", BetaSchedule::Const),
                                           std::make_pair("jsd", BetaSchedule::Jsd),
                                           std::make_pair("sigmoid", BetaSchedule::Sigmoid)),
                         [](const auto& info) { return info.param.first; });

TEST(Respace, SpaceTimestepsMatchesGuidedDiffusion) {
  const auto j = read_json_file(test::fixture("sampler/respace.json"));
  for (const auto& [key, steps] : j.items()) {
    int64_t T = 1000;
    std::string spec = key;
    if (auto colon = key.find(':'); colon != std::string::npos) {
      T = std::stoll(key.substr(0, colon));
      spec = key.substr(colon + 1);
    }
    EXPECT_EQ(space_timesteps(T, spec), steps.get<std::vector<int64_t>>()) << key;
  }
}

TEST(Respace, KeepsAlphasCumprodAtKeptSteps) {
  const Schedule base = make_schedule(ScheduleConfig{});
  const auto keep = space_timesteps(1000, "100");
  const Schedule s = respace(base, keep);
  ASSERT_EQ(s.num_timesteps(), 100);
  EXPECT_EQ(s.timestep_map, keep);
  const auto idx = torch::tensor(keep, torch::kInt64);
  EXPECT_LT(test::rel_error(s.alphas_cumprod, base.alphas_cumprod.index_select(0, idx)), 1e-6);
  // the full set of steps is the base schedule, up to recovering β from float32 ᾱ ratios
  std::vector<int64_t> all(1000);
  for (int64_t i = 0; i < 1000; ++i) all[i] = i;
  EXPECT_LT(test::rel_error(respace(base, all).betas, base.betas), 1e-4);
  EXPECT_EQ(respaced_start(s, 500), 50);  // kept steps 0, 10, …, 490 lie below t = 500
}

}  // namespace
