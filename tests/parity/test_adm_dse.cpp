// Domain-specific encoder (DSE_inference / DSE_train) against the official code. The expected
// outputs come from scripts/fixtures/make_adm_fixtures.py, which builds each case with the
// official create_dse, re-draws every parameter, saves ONE state dict, loads it strictly into
// both DSE_inference (phase test: features) and DSE_train (phase train: logits), and runs the
// official forwards on CPU in float32.
#include <gtest/gtest.h>

#include "common/network_parity.h"
#include "core/json_io.h"
#include "models/adm_encoder.h"

using namespace egsde;

namespace {

// One case directory, one phase: config file, expected output file.
void expect_parity(const std::string& c, const std::string& config_file,
                   const std::string& output_file, DsePhase expected_phase, ConvAlgo conv = ConvAlgo::Direct) {
  const auto config = AdmDseConfig::from_json(read_json_file(test::fixture(c + "/" + config_file)));
  ASSERT_EQ(config.phase, expected_phase);
  AdmDse model(config);
  test::expect_case_parity(
      *model, c, conv, [&](const torch::Tensor& x, const torch::Tensor& t) { return model->forward(x, t); },
      output_file, c + " " + config_file);
}

class AdmDseParity : public ::testing::TestWithParam<std::string> {};

TEST_P(AdmDseParity, TestPhaseFeatures) {
  expect_parity(GetParam(), "config.json", "output.npy", DsePhase::Test);
}

// The same features with the 3x3 convolutions by oneDNN's Winograd (models/winograd.h).
TEST_P(AdmDseParity, TestPhaseFeaturesWithWinograd) {
  if (!winograd_available()) GTEST_SKIP() << winograd_unavailable_reason();
  expect_parity(GetParam(), "config.json", "output.npy", DsePhase::Test, ConvAlgo::Winograd);
}

TEST_P(AdmDseParity, TrainPhaseLogitsFromSameWeights) {
  expect_parity(GetParam(), "config_train.json", "output_train.npy", DsePhase::Train);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, AdmDseParity,
                         ::testing::Values("adm_dse_attention", "adm_dse_adaptive"));

TEST(AdmDsePhase, SameKeysInBothPhases) {
  auto config = AdmDseConfig::from_json(read_json_file(test::fixture("adm_dse_attention/config.json")));
  const auto test_keys = module_state_dict(*AdmDse(config));
  config.phase = DsePhase::Train;
  const auto train_keys = module_state_dict(*AdmDse(config));
  ASSERT_EQ(test_keys.size(), train_keys.size());
  for (const auto& [key, value] : test_keys) EXPECT_TRUE(train_keys.count(key)) << key;
  for (const char* key : {"I2Iout.0.weight", "I2Iout.2.qkv_proj.weight", "I2Iout.2.c_proj.bias",
                          "I2Iout.2.positional_embedding"}) {
    EXPECT_TRUE(test_keys.count(key)) << key;
  }
}

}  // namespace
