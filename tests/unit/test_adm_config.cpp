// ADM config parsing: official create_model / create_dse argument names and conversions
// (script_util.py), strict keys with a suggestion, nearest-name helper.
#include <gtest/gtest.h>

#include "common/test_util.h"

#include "core/error.h"
#include "core/suggest.h"
#include "models/adm_config.h"
#include "models/adm_encoder.h"
#include "models/adm_unet.h"

using namespace egsde;
using nlohmann::json;

namespace {

TEST(Suggest, EditDistanceAndNearest) {
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("same", "same"), 0u);
  EXPECT_EQ(nearest("num_chanels", {"num_heads", "num_channels", "num_class"}), "num_channels");
  EXPECT_EQ(nearest("x", {}), "");
}

TEST(AdmConfig, ChannelMultByImageSizeOrExplicit) {
  AdmUNetConfig c;
  c.image_size = 256;
  EXPECT_EQ(c.channel_mult_values(), (std::vector<double>{1, 1, 2, 2, 4, 4}));
  c.image_size = 512;
  EXPECT_EQ(c.channel_mult_values(), (std::vector<double>{0.5, 1, 1, 2, 2, 4, 4}));
  c.image_size = 128;
  EXPECT_EQ(c.channel_mult_values(), (std::vector<double>{1, 1, 2, 3, 4}));
  c.image_size = 64;
  EXPECT_EQ(c.channel_mult_values(), (std::vector<double>{1, 2, 3, 4}));
  c.image_size = 32;
  EXPECT_NE(test::error_of([&] { c.channel_mult_values(); }).find("unsupported image size: 32"),
            std::string::npos);
  c.channel_mult = "1,1,2";
  EXPECT_EQ(c.channel_mult_values(), (std::vector<double>{1, 1, 2}));
  c.channel_mult = "1, 2 ,4";
  EXPECT_EQ(c.channel_mult_values(), (std::vector<double>{1, 2, 4}));
  c.channel_mult = "1,x";
  EXPECT_NE(test::error_of([&] { c.channel_mult_values(); }).find("not an integer"), std::string::npos);
}

TEST(AdmConfig, AttentionResolutionsBecomeDownsampleRates) {
  AdmUNetConfig c;
  c.image_size = 256;
  c.attention_resolutions = "16";
  EXPECT_EQ(c.attention_ds(), (std::vector<int64_t>{16}));
  c.attention_resolutions = "32,16,8";
  EXPECT_EQ(c.attention_ds(), (std::vector<int64_t>{8, 16, 32}));
  c.image_size = 64;
  EXPECT_EQ(c.attention_ds(), (std::vector<int64_t>{2, 4, 8}));
  EXPECT_EQ(adm::parse_attention_ds("24", 64), (std::vector<int64_t>{2}));  // floor division
}

TEST(AdmConfig, ReadsOfficialProfileModelSection) {
  // profiles/cat2dog/cat2dog.yml `model:` (as JSON) plus data.image_size.
  const json j = json::parse(R"({
    "type": "simple", "in_channels": 3, "out_ch": 3, "num_channels": 128,
    "num_res_blocks": 1, "learn_sigma": true, "class_cond": false,
    "attention_resolutions": "16", "num_heads": 4, "num_head_channels": 64,
    "num_heads_upsample": -1, "use_scale_shift_norm": true, "dropout": 0.0,
    "resblock_updown": true, "use_fp16": false, "use_new_attention_order": false,
    "var_type": "fixedsmall", "num_class": 2, "image_size": 256})");
  const auto c = AdmUNetConfig::from_json(j);
  EXPECT_EQ(c.num_channels, 128);
  EXPECT_EQ(c.num_head_channels, 64);
  EXPECT_TRUE(c.learn_sigma);
  EXPECT_EQ(c.out_channels(), 6);
  EXPECT_EQ(c.attention_ds(), (std::vector<int64_t>{16}));
  EXPECT_EQ(AdmUNetConfig::from_json(c.to_json()).to_json(), c.to_json());
}

TEST(AdmConfig, UnknownKeySuggestsNearest) {
  const auto msg = test::error_of([] { AdmUNetConfig::from_json(json{{"num_chanels", 64}}); });
  EXPECT_NE(msg.find("unknown key 'num_chanels'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("did you mean 'num_channels'"), std::string::npos) << msg;
  EXPECT_EQ(msg.find('\n'), std::string::npos);
  const auto dse = test::error_of([] { AdmDseConfig::from_json(json{{"classifier_dept", 2}}); });
  EXPECT_NE(dse.find("did you mean 'classifier_depth'"), std::string::npos) << dse;
}

TEST(AdmConfig, WrongTypesAndFp16AreErrors) {
  EXPECT_NE(test::error_of([] { AdmUNetConfig::from_json(json{{"num_heads", "four"}}); })
                .find("'num_heads' must be an integer"),
            std::string::npos);
  EXPECT_NE(test::error_of([] { AdmUNetConfig::from_json(json{{"use_fp16", true}}); }).find("use_fp16"),
            std::string::npos);
  EXPECT_NE(test::error_of([] { AdmDseConfig::from_json(json{{"classifier_use_fp16", true}}); })
                .find("classifier_use_fp16"),
            std::string::npos);
  EXPECT_TRUE(AdmUNetConfig::from_json(json{{"learn_sigma", "True"}}).learn_sigma);  // str2bool
  EXPECT_EQ(AdmUNetConfig::from_json(json{{"attention_resolutions", 16}}).attention_resolutions, "16");
}

TEST(AdmConfig, DseDefaultsAndPhase) {
  const auto c = AdmDseConfig::from_json(json::parse(R"({
    "num_class": 3, "classifier_use_fp16": false, "classifier_width": 128,
    "classifier_depth": 2, "classifier_attention_resolutions": "32,16,8",
    "classifier_use_scale_shift_norm": true, "classifier_resblock_updown": true,
    "classifier_pool": "attention"})"));
  EXPECT_EQ(c.image_size, 256);
  EXPECT_EQ(c.num_class, 3);
  EXPECT_EQ(c.phase, DsePhase::Test);
  EXPECT_EQ(AdmDseConfig::from_json(json{{"phase", "train"}}).phase, DsePhase::Train);
  EXPECT_NE(test::error_of([] { AdmDseConfig::from_json(json{{"phase", "eval"}}); }).find("phase"),
            std::string::npos);
  EXPECT_NE(test::error_of([] { AdmDseConfig::from_json(json{{"classifier_pool", "max"}}); })
                .find("classifier_pool"),
            std::string::npos);
}

}  // namespace
