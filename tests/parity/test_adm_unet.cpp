// ADM score network (UNetModel) against the official code. The expected outputs come from
// scripts/fixtures/make_adm_fixtures.py, which builds each case with the official
// create_model, re-draws every parameter, and runs the official forward on CPU in float32.
#include <gtest/gtest.h>

#include "common/network_parity.h"
#include "core/json_io.h"
#include "models/adm_encoder.h"
#include "models/adm_unet.h"

using namespace egsde;

namespace {

// `conv`: ConvAlgo::Winograd runs the 3x3 convolutions by oneDNN's Winograd (models/winograd.h)
// against the same official outputs and tolerance.
void expect_parity(const std::string& c, ConvAlgo conv) {
  const auto config = AdmUNetConfig::from_json(read_json_file(test::fixture(c + "/config.json")));
  AdmUNet model(config);
  const auto y = config.class_cond ? read_npy(test::fixture(c + "/y.npy")).to(test::device()) : torch::Tensor();
  test::expect_case_parity(*model, c, conv, [&](const torch::Tensor& x, const torch::Tensor& t) {
    auto out = model->forward(x, t, y);
    EXPECT_EQ(out.size(1), config.out_channels());
    return out;
  });
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
TEST(AdmProfileLayout, Cat2dogUNetAndDse) {
  const auto layout = read_json_file(test::fixture("adm_profile_shapes/cat2dog.json"));
  test::expect_layout(module_state_dict(*AdmUNet(AdmUNetConfig::from_json(layout["model_config"]))),
                      layout["model"]);
  test::expect_layout(module_state_dict(*AdmDse(AdmDseConfig::from_json(layout["dse_config"]))),
                      layout["dse"]);
}

}  // namespace
