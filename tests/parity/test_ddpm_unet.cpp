// DDPM score network (models/ddpm.py Model) against the official code. The expected outputs
// come from scripts/fixtures/make_ddpm_fixtures.py, which builds each case with the official
// Model, re-draws every parameter, runs the official forward on CPU in float32, and saves the
// weights through torch.nn.DataParallel (keys with 'module.', like celebahq_female_ddpm.pth).
#include <gtest/gtest.h>

#include "common/network_parity.h"
#include "core/error.h"
#include "core/json_io.h"
#include "models/ddpm_unet.h"

using namespace egsde;

namespace {

// `conv`: ConvAlgo::Winograd runs the 3x3 stride-1 convolutions by oneDNN's Winograd
// (models/winograd.h) against the same official outputs and tolerance.
void expect_parity(const std::string& c, ConvAlgo conv) {
  const auto config = DdpmConfig::from_json(read_json_file(test::fixture(c + "/config.json")));
  DdpmUNet model(config);  // weights.pt keys carry 'module.': read_state_dict strips it
  test::expect_case_parity(*model, c, conv,
                           [&](const torch::Tensor& x, const torch::Tensor& t) { return model->forward(x, t); });
}

class DdpmUNetParity : public ::testing::TestWithParam<std::string> {};

TEST_P(DdpmUNetParity, MatchesOfficialForward) { expect_parity(GetParam(), ConvAlgo::Direct); }

TEST_P(DdpmUNetParity, MatchesOfficialForwardWithWinograd) {
  if (!winograd_available()) GTEST_SKIP() << winograd_unavailable_reason();
  expect_parity(GetParam(), ConvAlgo::Winograd);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, DdpmUNetParity, ::testing::Values("ddpm_conv", "ddpm_noconv"));

// Registered names are the official keys (strict loading above covers all; these name one
// per kind of block), and the 'module.' prefix of the file is gone after read_state_dict.
TEST(DdpmUNetKeys, OfficialNames) {
  const auto config =
      DdpmConfig::from_json(read_json_file(test::fixture("ddpm_noconv/config.json")));
  const auto sd = module_state_dict(*DdpmUNet(config));
  for (const char* key :
       {"logvar", "temb.dense.0.weight", "temb.dense.1.bias", "conv_in.weight",
        "down.0.block.0.norm1.weight", "down.1.block.0.nin_shortcut.weight",
        "down.1.attn.0.q.weight", "mid.block_1.temb_proj.weight", "mid.attn_1.proj_out.bias",
        "up.0.block.1.nin_shortcut.weight", "up.2.attn.1.v.weight", "norm_out.weight",
        "conv_out.weight"}) {
    EXPECT_TRUE(sd.count(key)) << key;
  }
  EXPECT_EQ(sd.at("logvar").numel(), 1000);
  const auto with_conv = module_state_dict(
      *DdpmUNet(DdpmConfig::from_json(read_json_file(test::fixture("ddpm_conv/config.json")))));
  EXPECT_TRUE(with_conv.count("up.1.upsample.conv.weight"));
  EXPECT_TRUE(with_conv.count("down.0.downsample.conv.bias"));
  EXPECT_FALSE(with_conv.count("logvar"));
  EXPECT_FALSE(with_conv.count("up.0.upsample.conv.weight"));
}

TEST(DdpmConfig, UnknownKeyNamesNearest) {
  auto j = read_json_file(test::fixture("ddpm_conv/config.json"));
  j["model"]["ch_mul"] = {1, 2};
  try {
    DdpmConfig::from_json(j);
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'ch_mul'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("'ch_mult'"), std::string::npos) << e.what();
  }
}

TEST(DdpmConfig, ReadsProfileValues) {
  const auto c = DdpmConfig::from_json(read_json_file(test::fixture("ddpm_noconv/config.json")));
  EXPECT_EQ(c.image_size, 32);
  EXPECT_EQ(c.ch, 32);
  EXPECT_EQ(c.ch_mult, (std::vector<int64_t>{1, 2, 1}));
  EXPECT_EQ(c.attn_resolutions, (std::vector<int64_t>{16, 8}));
  EXPECT_FALSE(c.resamp_with_conv);
  EXPECT_EQ(c.type, "bayesian");
  EXPECT_EQ(c.var_type, "fixedlarge");
  EXPECT_DOUBLE_EQ(c.dropout, 0.1);
  auto j = read_json_file(test::fixture("ddpm_conv/config.json"));
  j.erase("data");
  EXPECT_THROW(DdpmConfig::from_json(j), Error);
}

}  // namespace
