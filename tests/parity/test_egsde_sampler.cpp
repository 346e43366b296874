// EGSDE / SDEdit sampling against the official code. Expected values come from
// scripts/fixtures/make_sampler_fixtures.py with stand-in networks (weights in sampler/nets/,
// rebuilt here exactly):
//   - step_*: one official functions/denoising.egsde_sample call (ADM branch: 6 → 3 channels)
//     after torch.manual_seed(step_seed), and each energy gradient alone (official autograd);
//   - run_*/raw.npy: the official runner runners/egsde.EGSDE.egsde() end to end on the 4 cat
//     images at 32², seeded like run_EGSDE.py, recording each batch's final float sample.
// CPU, one intra-op thread on both sides.
#include <gtest/gtest.h>

#include "common/test_util.h"
#include "core/json_io.h"
#include "core/npy.h"
#include "guidance/energies.h"
#include "samplers/egsde.h"
#include "samplers/sdedit.h"

using namespace egsde;

namespace {

torch::Tensor fx(const std::string& name) { return read_npy(test::fixture("sampler/" + name + ".npy")); }

torch::nn::Conv2d load_conv(const std::string& prefix, int64_t in, int64_t out, int64_t stride) {
  torch::nn::Conv2d conv(torch::nn::Conv2dOptions(in, out, 3).stride(stride).padding(1));
  torch::NoGradGuard no_grad;
  conv->weight.copy_(fx("nets/" + prefix + ".weight"));
  conv->bias.copy_(fx("nets/" + prefix + ".bias"));
  return conv;
}

torch::Tensor time_scale(const torch::Tensor& t) { return (1 + t.to(torch::kFloat32) / 1000).view({-1, 1, 1, 1}); }

// TinyEps of the fixture script, wrapped as the samplers' ε callback: keeps 3 of 6 channels
// (what the ADM wrapper does for learn_sigma).
EpsFn tiny_eps() {
  auto conv = load_conv("eps.conv", 3, 6, 1);
  return [conv](const torch::Tensor& y, const torch::Tensor& t) mutable {
    auto out = torch::tanh(conv->forward(y)) * time_scale(t);
    return out.split(3, 1)[0];
  };
}

FeatureFn tiny_dse() {
  auto c1 = load_conv("dse.conv1", 3, 8, 2);
  auto c2 = load_conv("dse.conv2", 8, 8, 1);
  return [c1, c2](const torch::Tensor& x, const torch::Tensor& t) mutable {
    return c2->forward(torch::silu(c1->forward(x))) * time_scale(t);
  };
}

RealismScore s1_of(const std::string& s) { return s == "cosine" ? RealismScore::Cosine : RealismScore::NegL2; }
FaithfulScore s2_of(const std::string& s) { return s == "cosine" ? FaithfulScore::Cosine : FaithfulScore::NegL2; }

std::vector<WeightedEnergy> energies(double ls, double li, RealismScore s1, FaithfulScore s2, int64_t down_N) {
  return {{"realism", ls, realism_energy(tiny_dse(), s1)},
          {"faithful", li, lowpass_energy(make_lowpass(32, down_N), s2)}};
}

Schedule cat2dog_schedule() {
  ScheduleConfig c;
  c.var_type = VarType::FixedSmall;  // profiles/cat2dog/cat2dog.yml
  return make_schedule(c);
}

class SamplerParity : public ::testing::Test {
 protected:
  void SetUp() override {
    threads_ = torch::get_num_threads();
    torch::set_num_threads(1);
  }
  void TearDown() override { torch::set_num_threads(threads_); }
  int threads_ = 1;
};

TEST_F(SamplerParity, OfficialNoiseEqualsManualSeedRandnLike) {
  const auto y = fx("step_y");
  OfficialNoise noise(static_cast<uint64_t>(fx("step_seed").item<int64_t>()));
  EXPECT_TRUE(torch::equal(noise.randn_like(y), fx("step_z")));
}

TEST_F(SamplerParity, EnergyGradientsMatchOfficialAutograd) {
  const auto y = fx("step_y"), xt = fx("step_xt");
  const auto t = torch::full({y.size(0)}, static_cast<double>(fx("step_i").item<int64_t>()));
  for (const std::string s1 : {"cosine", "neg_l2"}) {
    test::expect_matches(realism_energy(tiny_dse(), s1_of(s1))(y, xt, t), fx("step_grad_s1_" + s1), s1,
                         "rel_error_s1_" + s1, 1e-5);
  }
  for (const std::string s2 : {"neg_l2", "cosine"}) {
    test::expect_matches(lowpass_energy(make_lowpass(32, 4), s2_of(s2))(y, xt, t), fx("step_grad_s2_" + s2), s2,
                         "rel_error_s2_" + s2, 1e-5);
  }
}

TEST_F(SamplerParity, OneStepMatchesOfficialEgsdeSample) {
  const Schedule s = cat2dog_schedule();
  const auto y = fx("step_y"), xt = fx("step_xt");
  const int64_t i = fx("step_i").item<int64_t>();
  for (const auto& [s1, s2] : {std::pair<std::string, std::string>{"cosine", "neg_l2"}, {"neg_l2", "cosine"}}) {
    OfficialNoise noise(static_cast<uint64_t>(fx("step_seed").item<int64_t>()));
    const auto out = egsde_step(tiny_eps(), energies(500.0, 2.0, s1_of(s1), s2_of(s2), 4), s, i, y, xt, noise);
    test::expect_matches(out, fx("step_out_" + s1 + "_" + s2), s1 + "/" + s2, "rel_error_step_" + s1 + "_" + s2, 1e-5);
  }
}

// The generator state after the official runner builds the full-size networks of a profile
// (fixture: torch.get_rng_state() right after create_dse, from EGSDE.egsde() itself) equals
// manual_seed + the default-init draws derived from the parameter list alone.
TEST(OfficialRng, InitDrawsReproduceTheRunnersGeneratorState) {
  for (const std::string profile : {"cat2dog", "male2female", "multi_afhq"}) {
    const auto j = read_json_file(test::fixture("sampler/init_" + profile + ".json"));
    std::vector<std::pair<std::string, std::vector<int64_t>>> params;
    for (const auto& p : j["params"]) params.emplace_back(p[0].get<std::string>(), p[1].get<std::vector<int64_t>>());
    OfficialNoise noise(j["seed"].get<uint64_t>());
    noise.replay(default_init_draws(params));
    EXPECT_TRUE(torch::equal(noise.state(), fx("init_" + profile + "_rng_state"))) << profile;
  }
}

// The official runner's batching: one generator for the whole run, batches in file order.
torch::Tensor run_like_official(const std::string& case_name, bool sdedit_path) {
  const auto a = read_json_file(test::fixture("sampler/run_" + case_name + "/args.json"));
  const Schedule s = cat2dog_schedule();
  const auto x0 = fx("x0");
  EgsdeConfig cfg;
  cfg.t = a["t"];
  cfg.sample_step = a["sample_step"];
  const int64_t batch = a["batch_size"];
  const auto ens = energies(a["ls"], a["li"], s1_of(a["s1"]), s2_of(a["s2"]), a["down_N"]);
  const auto eps = tiny_eps();
  // the runner builds the score model then the DSE (their default init draws) before sampling
  const auto init = default_init_draws({{"conv.weight", {6, 3, 3, 3}}, {"conv.bias", {6}},
                                        {"conv1.weight", {8, 3, 3, 3}}, {"conv1.bias", {8}},
                                        {"conv2.weight", {8, 8, 3, 3}}, {"conv2.bias", {8}}});
  auto noise = OfficialNoise::for_runner(a["seed"].get<uint64_t>(), init);
  std::vector<std::vector<torch::Tensor>> per_repeat(static_cast<size_t>(cfg.sample_step));
  for (int64_t b = 0; b < x0.size(0); b += batch) {
    const auto xb = x0.slice(0, b, std::min(b + batch, x0.size(0)));
    const auto res = sdedit_path ? sdedit_sample(xb, eps, s, cfg, noise) : egsde_sample(xb, eps, ens, s, cfg, noise);
    for (size_t r = 0; r < res.size(); ++r) per_repeat[r].push_back(res[r]);
  }
  std::vector<torch::Tensor> rows;
  for (auto& p : per_repeat) rows.push_back(torch::cat(p));
  return torch::stack(rows);
}

class RunParity : public SamplerParity, public ::testing::WithParamInterface<std::pair<std::string, bool>> {};

TEST_P(RunParity, MatchesOfficialRunner) {
  const auto& [name, sdedit_path] = GetParam();
  const auto ref = read_npy(test::fixture("sampler/run_" + name + "/raw.npy"));
  const auto out = run_like_official(name, sdedit_path);
  test::expect_matches(out, ref, name, "rel_error", 1e-5);
  test::record("bit_identical", out.sizes() == ref.sizes() && torch::equal(out, ref));
}

INSTANTIATE_TEST_SUITE_P(Runs, RunParity,
                         ::testing::Values(std::make_pair("egsde50", false),
                                           std::make_pair("sdedit50", true),  // skip path vs ls = li = 0
                                           std::make_pair("sdedit50", false),
                                           std::make_pair("variant10", false)),
                         [](const auto& info) {
                           return info.param.first + (info.param.second ? "_skip_path" : "");
                         });

}  // namespace
