// Tensors the samplers keep across steps can live on the sample's device (diffusion/schedule.h
// schedule_on, guidance/resizer.h Resizer::to / LowPass::to) so that a CUDA step copies nothing
// from the host; the values must stay exactly those built on the CPU. On a CPU-only machine
// this checks the copies on the CPU (and, with EGSDE_TEST_DEVICE=cuda, on the GPU).
#include <gtest/gtest.h>

#include "common/test_util.h"
#include "diffusion/schedule.h"
#include "guidance/resizer.h"
#include "samplers/egsde.h"

using namespace egsde;

TEST(DevicePlacement, ScheduleOnKeepsEveryArray) {
  const Schedule s = make_schedule(ScheduleConfig{});
  const Schedule d = schedule_on(s, test::device());
  EXPECT_EQ(d.betas.device(), test::device());
  EXPECT_EQ(d.logvar.device(), test::device());
  for (const auto& [a, b] : {std::pair{s.betas, d.betas}, {s.alphas, d.alphas}, {s.alphas_cumprod, d.alphas_cumprod},
                             {s.alphas_cumprod_prev, d.alphas_cumprod_prev},
                             {s.posterior_variance, d.posterior_variance}, {s.logvar, d.logvar}}) {
    EXPECT_TRUE(torch::equal(a, b.cpu()));
  }
  EXPECT_EQ(d.timestep_map, s.timestep_map);
}

TEST(DevicePlacement, LowPassOnTheDeviceGivesTheSameValues) {
  const LowPass lp = make_lowpass(32, 4);
  const LowPass ld = lp.to(test::device());
  torch::manual_seed(3);
  const auto x = torch::randn({2, 3, 32, 32});
  const auto a = lp(x), b = ld(x.to(test::device())).cpu();
  EXPECT_LT(test::rel_error(b, a), test::parity_tol());
  const auto g = torch::randn({2, 3, 32, 32});
  EXPECT_LT(test::rel_error(ld.adjoint(g.to(test::device())).cpu(), lp.adjoint(g)), test::parity_tol());
  if (test::device().is_cpu()) {
    EXPECT_TRUE(torch::equal(a, b));
  }
}

TEST(DevicePlacement, StepOnTheDeviceScheduleEqualsTheHostSchedule) {
  const Schedule s = make_schedule(ScheduleConfig{});
  const Schedule d = schedule_on(s, test::device());
  torch::manual_seed(4);
  const auto y = torch::randn({2, 3, 8, 8});
  const EpsFn eps = [](const torch::Tensor& v, const torch::Tensor& t) { return torch::tanh(v) * (t.view({-1, 1, 1, 1}) / 1000); };
  OfficialNoise n1(7), n2(7);
  const auto host = egsde_step(eps, {}, s, 321, y, torch::Tensor(), n1);
  const auto dev = egsde_step(eps, {}, d, 321, y.to(test::device()), torch::Tensor(), n2).cpu();
  if (test::device().is_cpu()) {
    EXPECT_TRUE(torch::equal(host, dev));
  } else {
    EXPECT_LT(test::rel_error(dev, host), test::parity_tol());
  }
}
