// ADM score network (UNetModel) against the official code. The expected outputs come from
// scripts/fixtures/make_adm_fixtures.py, which builds each case with the official
// create_model, re-draws every parameter, and runs the official forward on CPU in float32.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "common/test_util.h"
#include "core/json_io.h"
#include "core/checkpoint.h"
#include "core/npy.h"
#include "models/adm_encoder.h"
#include "models/adm_unet.h"
#include "models/conv.h"

using namespace egsde;

namespace {

// `conv`: ConvAlgo::Winograd runs the 3x3 convolutions by oneDNN's Winograd (models/winograd.h)
// against the same official outputs and tolerance.
void expect_parity(const std::string& c, ConvAlgo conv) {
  const auto config = AdmUNetConfig::from_json(read_json_file(test::fixture(c + "/config.json")));
  AdmUNet model(config);
  const auto weights = test::fixture(c + "/weights.pt");
  load_state_dict(*model, read_state_dict(weights), weights.string());
  model->eval();
  model->to(test::device());
  set_conv_algo(*model, conv);
  const int64_t winograd_before = winograd_calls();

  const auto x = read_npy(test::fixture(c + "/input.npy")).to(test::device());
  const auto t = read_npy(test::fixture(c + "/timesteps.npy")).to(test::device());
  const auto y = config.class_cond ? read_npy(test::fixture(c + "/y.npy")).to(test::device()) : torch::Tensor();
  const auto ref = read_npy(test::fixture(c + "/output.npy"));

  torch::NoGradGuard no_grad;
  const auto out = model->forward(x, t, y);
  ASSERT_EQ(out.sizes(), ref.sizes());
  EXPECT_EQ(out.size(1), config.out_channels());
  const double err = test::rel_error(out, ref);
  ::testing::Test::RecordProperty("rel_error", (std::ostringstream() << err).str());
  EXPECT_LT(err, test::parity_tol()) << c;
  if (conv == ConvAlgo::Winograd) {
    EXPECT_GT(winograd_calls(), winograd_before) << "no convolution ran by Winograd";
  }
}

class AdmUNetParity : public ::testing::TestWithParam<std::string> {};

TEST_P(AdmUNetParity, MatchesOfficialForward) { expect_parity(GetParam(), ConvAlgo::Direct); }

TEST_P(AdmUNetParity, MatchesOfficialForwardWithWinograd) {
  if (!winograd_available()) GTEST_SKIP() << winograd_unavailable_reason();
  expect_parity(GetParam(), ConvAlgo::Winograd);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, AdmUNetParity,
                         ::testing::Values("adm_unet_legacy", "adm_unet_neworder",
                                           "adm_unet_classcond"));

// The registered names are exactly the official state-dict keys (load_state_dict is strict,
// so this is covered above; this states it for one key per kind of block).
TEST(AdmUNetKeys, OfficialNames) {
  const auto config =
      AdmUNetConfig::from_json(read_json_file(test::fixture("adm_unet_legacy/config.json")));
  const auto sd = module_state_dict(*AdmUNet(config));
  for (const char* key : {"time_embed.0.weight", "time_embed.2.bias", "input_blocks.0.0.weight",
                          "input_blocks.1.0.in_layers.0.weight", "input_blocks.1.0.emb_layers.1.weight",
                          "input_blocks.1.0.out_layers.3.weight", "input_blocks.5.0.skip_connection.weight",
                          "middle_block.1.qkv.weight", "middle_block.1.proj_out.bias",
                          "output_blocks.0.0.skip_connection.weight", "out.0.weight", "out.2.weight"}) {
    EXPECT_TRUE(sd.count(key)) << key;
  }
}


// The full-size cat2dog profile networks register exactly the official keys and shapes
// (tests/fixtures/adm_profile_shapes/cat2dog.json, written by make_adm_fixtures.py from the
// official create_model / create_dse), so the released checkpoints load strictly.
void expect_layout(const StateDict& sd, const nlohmann::json& expected) {
  EXPECT_EQ(sd.size(), expected.size());
  for (const auto& [key, shape] : expected.items()) {
    const auto it = sd.find(key);
    if (it == sd.end()) {
      ADD_FAILURE() << "missing " << key;
      continue;
    }
    EXPECT_EQ(it->second.sizes().vec(), shape.get<std::vector<int64_t>>()) << key;
  }
}

TEST(AdmProfileLayout, Cat2dogUNetAndDse) {
  const auto layout = read_json_file(test::fixture("adm_profile_shapes/cat2dog.json"));
  expect_layout(module_state_dict(*AdmUNet(AdmUNetConfig::from_json(layout["model_config"]))),
                layout["model"]);
  expect_layout(module_state_dict(*AdmDse(AdmDseConfig::from_json(layout["dse_config"]))),
                layout["dse"]);
}

}  // namespace
