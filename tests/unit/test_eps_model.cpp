// The ε-model wrapper and the official RNG's init draws for `egsde translate`. Expected values:
// tests/fixtures/sampler/init_cat2dog.json — the (name, shape) list of the full-size cat2dog
// networks' parameters in the official construction order (create_model, then create_dse), taken
// from the official runner by scripts/fixtures/make_sampler_fixtures.py. Our modules must register
// their parameters in that order, since the official protocol replays their default-init draws.
#include <gtest/gtest.h>

#include <fstream>

#include "common/test_util.h"
#include "core/json_io.h"
#include "translate/profile.h"
#include "models/adm_encoder.h"
#include "models/adm_unet.h"
#include "models/eps_model.h"
#include "models/network.h"

using namespace egsde;

namespace {

TEST(EpsModel, ModulesRegisterParametersInTheOfficialOrder) {
  const auto j = read_json_file(test::fixture("sampler/init_cat2dog.json"));
  std::vector<std::pair<std::string, std::vector<int64_t>>> expected;
  for (const auto& p : j["params"]) expected.emplace_back(p[0].get<std::string>(), p[1].get<std::vector<int64_t>>());
  const Profile profile = read_profile(test::fixture("../../experiments/profiles/cat2dog.json").lexically_normal());
  AdmUNet unet(AdmUNetConfig::from_json(config_section(NetworkKind::AdmUNet, profile.config)));
  AdmDse dse(AdmDseConfig::from_json(config_section(NetworkKind::AdmDse, profile.config)));
  auto got = parameter_shapes(*unet);
  const auto d = parameter_shapes(*dse);
  got.insert(got.end(), d.begin(), d.end());
  ASSERT_EQ(got.size(), expected.size());
  for (size_t i = 0; i < got.size(); ++i) ASSERT_EQ(got[i], expected[i]) << "parameter " << i;
}

// ADM with learn_sigma: ε is the first 3 of the 6 output channels (torch.split(out, 3)[0]).
TEST(EpsModel, AdmKeepsTheFirstThreeChannels) {
  const auto dir = test::fixture("adm_unet_legacy");
  const auto config = read_json_file(dir / "config.json");
  const EpsModel m = load_eps_model(DiffusionModel::Adm, config, "config", dir / "weights.pt");
  const Network net = load_network(NetworkKind::AdmUNet, config, "config", dir / "weights.pt");
  const auto x = torch::randn({1, 3, 32, 32});
  const auto t = torch::full({1}, 7.0);
  torch::NoGradGuard ng;
  const auto full = net.forward(x, t);
  ASSERT_EQ(full.size(1), 6);
  EXPECT_TRUE(torch::equal(m.eps(x, t), full.slice(1, 0, 3)));
}

}  // namespace
