// A checkpoint's config inferred from its shapes (models/config_inference.h) and the load error
// that suggests it (models/mismatch_hint.h). Expected values are the configs themselves: each
// case builds the network with the repository's constructors (AdmUNet, AdmDse, DdpmUNet, which
// register the official create_model / create_dse / ddpm.Model keys and shapes: the parity
// tests), takes its state dict, and must get the config's settings back; a checkpoint of config
// A loaded with config B must name the keys that differ and suggest A's values.
#include <gtest/gtest.h>

#include <set>

#include "common/test_util.h"
#include "core/checkpoint.h"
#include "models/adm_encoder.h"
#include "models/adm_unet.h"
#include "models/config_inference.h"
#include "models/ddpm_unet.h"
#include "models/network.h"

using namespace egsde;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

StateDict unet_state(const json& c) { return module_state_dict(*AdmUNet(AdmUNetConfig::from_json(c))); }
StateDict dse_state(const json& c) { return module_state_dict(*AdmDse(AdmDseConfig::from_json(c))); }
StateDict ddpm_state(const json& c) { return module_state_dict(*DdpmUNet(DdpmConfig::from_json(c))); }

bool mentions(const std::vector<std::string>& lines, const std::string& what) {
  for (const auto& l : lines)
    if (l.find(what) != std::string::npos) return true;
  return false;
}

// tests/fixtures/adm_unet_legacy/config.json
json unet_legacy() {
  return {{"image_size", 32}, {"num_channels", 32}, {"num_res_blocks", 1}, {"channel_mult", "1,1,2"},
          {"learn_sigma", true}, {"attention_resolutions", "16"}, {"num_heads", 4}, {"num_head_channels", 16},
          {"use_scale_shift_norm", true}, {"resblock_updown", true}};
}
// tests/fixtures/adm_unet_classcond/config.json
json unet_classcond() {
  return {{"image_size", 32}, {"num_class", 3}, {"num_channels", 32}, {"num_res_blocks", 2}, {"channel_mult", "1,1,1"},
          {"learn_sigma", true}, {"class_cond", true}, {"attention_resolutions", "8"},
          {"use_scale_shift_norm", true}, {"resblock_updown", false}};
}
// tests/fixtures/adm_dse_attention/config.json
json dse_attention() {
  return {{"image_size", 64}, {"num_class", 2}, {"classifier_width", 32}, {"classifier_depth", 1},
          {"classifier_attention_resolutions", "32,8"}, {"classifier_use_scale_shift_norm", true},
          {"classifier_resblock_updown", true}, {"classifier_pool", "attention"}};
}
// tests/fixtures/ddpm_conv/config.json (model and data sections)
json ddpm_conv() {
  return {{"model", {{"type", "simple"}, {"in_channels", 3}, {"out_ch", 3}, {"ch", 32}, {"ch_mult", {1, 2, 2}},
                     {"num_res_blocks", 2}, {"attn_resolutions", {16}}, {"resamp_with_conv", true}}},
          {"data", {{"image_size", 32}}}};
}

}  // namespace

TEST(ConfigInference, AdmUNetSettingsComeBack) {
  struct Case {
    json config;    // what builds the network
    json expected;  // what the shapes must give back: the config's values, spelled canonically
  };
  const std::vector<Case> cases = {
      {unet_legacy(),
       {{"num_channels", 32}, {"num_res_blocks", 1}, {"channel_mult", "1,1,2"}, {"learn_sigma", true},
        {"class_cond", false}, {"attention_resolutions", "16"}, {"use_scale_shift_norm", true},
        {"resblock_updown", true}}},
      {unet_classcond(),
       {{"num_channels", 32}, {"num_res_blocks", 2}, {"channel_mult", "1,1,1"}, {"learn_sigma", true},
        {"class_cond", true}, {"num_class", 3}, {"attention_resolutions", "8"}, {"use_scale_shift_norm", true},
        {"resblock_updown", false}}},
      // channel_mult "" is create_model's by-size choice for 64: (1, 2, 3, 4); no res block per
      // input level, attention at three levels.
      {{{"image_size", 64}, {"num_channels", 32}, {"num_res_blocks", 0}, {"channel_mult", ""},
        {"attention_resolutions", "32,16,8"}, {"use_scale_shift_norm", false}, {"resblock_updown", false}},
       {{"num_channels", 32}, {"num_res_blocks", 0}, {"channel_mult", "1,2,3,4"}, {"learn_sigma", false},
        {"class_cond", false}, {"attention_resolutions", "32,16,8"}, {"use_scale_shift_norm", false},
        {"resblock_updown", false}}},
      // Resolution 16 is 64 // 16 = 4, a rate two levels never reach: only 64 (rate 1) has attention.
      {{{"image_size", 64}, {"num_channels", 64}, {"num_res_blocks", 2}, {"channel_mult", "1,2"},
        {"attention_resolutions", "16,64"}, {"use_scale_shift_norm", true}, {"resblock_updown", true}},
       {{"num_channels", 64}, {"num_res_blocks", 2}, {"channel_mult", "1,2"}, {"learn_sigma", false},
        {"class_cond", false}, {"attention_resolutions", "64"}, {"use_scale_shift_norm", true},
        {"resblock_updown", true}}},
  };
  for (const auto& c : cases) {
    const int64_t size = c.config["image_size"].get<int64_t>();
    const InferredConfig got = infer_adm_unet_config(unet_state(c.config), size);
    EXPECT_EQ(got.settings["model"], c.expected) << c.config.dump();
    EXPECT_FALSE(got.settings.contains("data")) << "a UNet's weights do not fix its image size";
    EXPECT_TRUE(mentions(got.not_inferable, "num_heads")) << "heads cannot be read off qkv shapes";
    EXPECT_TRUE(got.notes.empty()) << got.notes[0];
  }
  // One level: no resampling layer tells resblock_updown.
  const json one_level = {{"image_size", 32}, {"num_channels", 32}, {"num_res_blocks", 1}, {"channel_mult", "2"},
                          {"attention_resolutions", "32"}};
  const InferredConfig got = infer_adm_unet_config(unet_state(one_level), 32);
  EXPECT_EQ(got.settings["model"]["channel_mult"], "2");
  EXPECT_EQ(got.settings["model"]["attention_resolutions"], "32");
  EXPECT_FALSE(got.settings["model"].contains("resblock_updown"));
  EXPECT_TRUE(mentions(got.not_inferable, "resblock_updown"));
}

TEST(ConfigInference, AdmDseSettingsComeBack) {
  struct Case {
    json config, expected;
  };
  const std::vector<Case> cases = {
      {dse_attention(),
       {{"num_class", 2}, {"classifier_width", 32}, {"classifier_depth", 1}, {"classifier_channel_mult", "1,2,3,4"},
        {"classifier_attention_resolutions", "32,8"}, {"classifier_use_scale_shift_norm", true},
        {"classifier_resblock_updown", true}, {"classifier_pool", "attention"}}},
      {{{"image_size", 32}, {"num_class", 3}, {"classifier_width", 32}, {"classifier_depth", 2},
        {"classifier_channel_mult", "1,2,2"}, {"classifier_attention_resolutions", "16,8"},
        {"classifier_use_scale_shift_norm", false}, {"classifier_resblock_updown", false}, {"classifier_pool", "adaptive"}},
       {{"num_class", 3}, {"classifier_width", 32}, {"classifier_depth", 2}, {"classifier_channel_mult", "1,2,2"},
        {"classifier_attention_resolutions", "16,8"}, {"classifier_use_scale_shift_norm", false},
        {"classifier_resblock_updown", false}, {"classifier_pool", "adaptive"}}},
      // Equal widths and no attention reached (32 // 4 = 8 > the deepest rate 4): only the
      // attention pool's 8x8 positional embedding (64 / 2^2) tells three levels of depth 1.
      {{{"image_size", 32}, {"num_class", 2}, {"classifier_width", 64}, {"classifier_depth", 1},
        {"classifier_channel_mult", "1,1,1"}, {"classifier_attention_resolutions", "4"},
        {"classifier_resblock_updown", true}, {"classifier_pool", "attention"}},
       {{"num_class", 2}, {"classifier_width", 64}, {"classifier_depth", 1}, {"classifier_channel_mult", "1,1,1"},
        {"classifier_attention_resolutions", "4"}, {"classifier_use_scale_shift_norm", true},
        {"classifier_resblock_updown", true}, {"classifier_pool", "attention"}}},
  };
  for (const auto& c : cases) {
    const InferredConfig got = infer_adm_dse_config(dse_state(c.config), c.config["image_size"].get<int64_t>());
    EXPECT_EQ(got.settings["dse"], c.expected) << c.config.dump();
    EXPECT_FALSE(got.settings.contains("data")) << c.config.dump();
    EXPECT_TRUE(got.not_inferable.empty()) << got.not_inferable[0];
  }
  // The same trunk with the adaptive head: depths 0, 1, 2 and 5 all fit the blocks; say so.
  json ambiguous = cases[2].config;
  ambiguous["classifier_pool"] = "adaptive";
  const InferredConfig got = infer_adm_dse_config(dse_state(ambiguous), 32);
  EXPECT_FALSE(got.settings["dse"].contains("classifier_depth"));
  EXPECT_TRUE(mentions(got.not_inferable, "classifier_depth 0 with 6 levels, 1 with 3 levels, 2 with 2 levels, 5 with 1 levels"))
      << got.not_inferable.at(0);
  EXPECT_EQ(got.settings["dse"]["classifier_pool"], "adaptive");
  // The attention pool fixes the image size: 8x8 at the middle block, 3 levels → 64.
  const InferredConfig sized = infer_adm_dse_config(dse_state(dse_attention()), 128);
  EXPECT_EQ(sized.settings["data"], (json{{"image_size", 64}}));
  EXPECT_EQ(sized.settings["dse"]["classifier_attention_resolutions"], "32,8");
}

TEST(ConfigInference, DdpmSettingsComeBack) {
  json noconv = {{"model", {{"type", "bayesian"}, {"ch", 32}, {"ch_mult", {1, 1, 2, 2}}, {"num_res_blocks", 1},
                            {"attn_resolutions", {8, 16}}, {"resamp_with_conv", false}}},
                 {"data", {{"image_size", 64}}}, {"diffusion", {{"num_diffusion_timesteps", 10}}}};
  const InferredConfig a = infer_ddpm_config(ddpm_state(ddpm_conv()), 32);
  EXPECT_EQ(a.settings["model"], (json{{"type", "simple"}, {"in_channels", 3}, {"out_ch", 3}, {"ch", 32},
                                       {"ch_mult", {1, 2, 2}}, {"num_res_blocks", 2}, {"attn_resolutions", {16}},
                                       {"resamp_with_conv", true}}));
  EXPECT_FALSE(a.settings.contains("diffusion"));
  const InferredConfig b = infer_ddpm_config(ddpm_state(noconv), 64);
  EXPECT_EQ(b.settings["model"], (json{{"type", "bayesian"}, {"in_channels", 3}, {"out_ch", 3}, {"ch", 32},
                                       {"ch_mult", {1, 1, 2, 2}}, {"num_res_blocks", 1}, {"attn_resolutions", {16, 8}},
                                       {"resamp_with_conv", false}}));
  EXPECT_EQ(b.settings["diffusion"], (json{{"num_diffusion_timesteps", 10}}));
}

TEST(ConfigInference, FamiliesAreToldApart) {
  EXPECT_EQ(checkpoint_family(unet_state(unet_legacy())), "ADM UNet");
  EXPECT_EQ(checkpoint_family(dse_state(dse_attention())), "ADM DSE");
  EXPECT_EQ(checkpoint_family(ddpm_state(ddpm_conv())), "DDPM");
  EXPECT_EQ(checkpoint_family({{"fc.weight", torch::zeros({2, 2})}}), "");
  const InferredConfig wrong = infer_adm_unet_config(ddpm_state(ddpm_conv()), 32);
  EXPECT_TRUE(wrong.settings.empty());
  ASSERT_EQ(wrong.notes.size(), 1u);
  EXPECT_NE(wrong.notes[0].find("those of a DDPM, not of an ADM UNet: set diffusionmodel to \"DDPM\""), std::string::npos)
      << wrong.notes[0];
}

// ---- the load error ---------------------------------------------------------------------------

namespace {

// The error of loading `ckpt` (written to a file) into the `kind` network `config` describes.
std::string load_error(NetworkKind kind, const json& config, const std::string& source, const StateDict& ckpt,
                       fs::path* file = nullptr) {
  const auto dir = test::temp_dir("config_inference");
  write_state_dict(dir / "ckpt.pt", ckpt);
  if (file) *file = dir / "ckpt.pt";
  return test::error_of([&] { load_network(kind, config, source, dir / "ckpt.pt"); });
}

std::vector<std::string> lines_of(const std::string& msg) {
  std::vector<std::string> out;
  std::stringstream in(msg);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// An egsde profile ({args, config}) whose config.<section> is `settings` (image_size moved to data).
json egsde_profile(const std::string& section, json settings, int64_t image_size) {
  settings.erase("image_size");
  json p = {{"args", json::object()}, {"config", {{"data", {{"image_size", image_size}}}, {"model", unet_legacy()}}}};
  p["config"][section] = settings;
  return p;
}

}  // namespace

TEST(MismatchError, OneWidthDifferenceNamesShapesAndTheSetting) {
  json b = unet_legacy();
  b["num_channels"] = 64;
  fs::path file;
  const std::string msg = load_error(NetworkKind::AdmUNet, egsde_profile("model", b, 32), "profile B.json",
                                     unet_state(unet_legacy()), &file);
  const auto lines = lines_of(msg);
  ASSERT_GE(lines.size(), 4u) << msg;
  // Same keys, other widths: every tensor but the 3-channel output bias differs in shape.
  const StateDict a = unet_state(unet_legacy());
  const StateDict bigger = unet_state(b);
  size_t differ = 0;
  for (const auto& [k, v] : a) differ += bigger.at(k).sizes() != v.sizes();
  EXPECT_EQ(lines[0], "checkpoint " + file.string() + " does not match the ADM UNet built from profile B.json: " +
                          std::to_string(differ) + " shape mismatches");
  EXPECT_EQ(lines[1], "  shape mismatch input_blocks.0.0.bias: checkpoint [32], network [64]");
  EXPECT_EQ(lines[2], "  shape mismatch input_blocks.0.0.weight: checkpoint [32, 3, 3, 3], network [64, 3, 3, 3]");
  EXPECT_EQ(lines[9], "  and " + std::to_string(differ - 8) + " more shape mismatches");
  EXPECT_NE(msg.find("\n  to match the checkpoint, set config.model.num_channels = 32\n"), std::string::npos) << msg;
  EXPECT_NE(msg.find("\n  not inferable from the shapes: num_heads, num_head_channels"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("missing"), std::string::npos) << msg;
}

TEST(MismatchError, OtherStructureNamesKeysAndSuggestsTheCheckpointsValues) {
  // Checkpoint: unet_legacy (A). Config: unet_classcond (B), as a bare create_model dict.
  const StateDict a = unet_state(unet_legacy());
  const StateDict b = unet_state(unet_classcond());
  const std::string msg = load_error(NetworkKind::AdmUNet, unet_classcond(), "B.json", a);
  size_t missing = 0, unexpected = 0;
  for (const auto& [k, v] : b) missing += !a.count(k);
  for (const auto& [k, v] : a) unexpected += !b.count(k);
  ASSERT_GT(missing, 8u);
  const auto lines = lines_of(msg);
  EXPECT_NE(lines[0].find("does not match the ADM UNet built from config B.json: "), std::string::npos) << msg;
  EXPECT_NE(lines[0].find(std::to_string(missing) + " missing keys, " + std::to_string(unexpected) + " unexpected key"),
            std::string::npos)
      << lines[0];
  EXPECT_NE(msg.find("\n  missing (in the network, not in the checkpoint): "), std::string::npos) << msg;
  EXPECT_NE(msg.find(" and " + std::to_string(missing - 8) + " more\n"), std::string::npos) << msg;
  EXPECT_NE(msg.find("\n  unexpected (in the checkpoint, not in the network): "), std::string::npos) << msg;
  // A's values for exactly the settings where B differs (learn_sigma, use_scale_shift_norm and
  // num_channels agree); keys as in the bare dict.
  EXPECT_NE(msg.find("\n  to match the checkpoint, set attention_resolutions = \"16\", channel_mult = \"1,1,2\", "
                     "class_cond = false, num_res_blocks = 1, resblock_updown = true\n"),
            std::string::npos)
      << msg;
  for (const auto& l : lines) EXPECT_TRUE(l == lines[0] || l.rfind("  ", 0) == 0) << "detail lines are indented: " << l;
}

TEST(MismatchError, EquivalentSpellingsAreNotSuggested) {
  // Config: channel_mult "" (64's default 1,2,3,4) and "16,64" (only 64 reachable), checkpoint:
  // the same network written "1,2,3,4" / "64" but with 2 res blocks: only num_res_blocks differs.
  json b = {{"image_size", 64}, {"num_channels", 32}, {"num_res_blocks", 1}, {"channel_mult", ""},
            {"attention_resolutions", "16,64,128"}};
  json a = b;
  a["num_res_blocks"] = 2;
  a["channel_mult"] = "1,2,3,4";
  a["attention_resolutions"] = "64,16";
  const std::string msg = load_error(NetworkKind::AdmUNet, b, "B.json", unet_state(a));
  EXPECT_NE(msg.find("\n  to match the checkpoint, set num_res_blocks = 2\n"), std::string::npos) << msg;
}

TEST(MismatchError, DseSuggestsDepthAttentionAndImageSize) {
  // Checkpoint: dse_attention (64 px, depth 1, "32,8"); profile: 128 px, depth 2, "32".
  json b = dse_attention();
  b["classifier_depth"] = 2;
  b["classifier_attention_resolutions"] = "32";
  const json yml = {{"data", {{"image_size", 128}}}, {"model", unet_legacy()}, {"dse", b}};
  const std::string msg = load_error(NetworkKind::AdmDse, yml, "C.json", dse_state(dse_attention()));
  EXPECT_NE(lines_of(msg)[0].find("does not match the DSE built from config C.json: "), std::string::npos) << msg;
  // classifier_channel_mult "" at 64 px is the checkpoint's 1,2,3,4: not suggested.
  const std::string last = "\n  to match the checkpoint, set data.image_size = 64, dse.classifier_attention_resolutions = "
                           "\"32,8\", dse.classifier_depth = 1";
  EXPECT_EQ(msg.rfind(last), msg.size() - last.size()) << msg;
}

TEST(MismatchError, DdpmSuggestsItsKeysAndOtherFamiliesAreNamed) {
  json b = ddpm_conv();
  b["model"]["ch_mult"] = {1, 2};
  b["model"]["num_res_blocks"] = 1;
  const std::string msg =
      load_error(NetworkKind::DdpmUNet, {{"args", json::object()}, {"config", b}}, "profile D.json", ddpm_state(ddpm_conv()));
  EXPECT_NE(msg.find("does not match the DDPM model built from profile D.json: "), std::string::npos) << msg;
  EXPECT_NE(msg.find("\n  to match the checkpoint, set config.model.ch_mult = [1,2,2], config.model.num_res_blocks = 2"),
            std::string::npos)
      << msg;
  // A DDPM checkpoint given to the ADM UNet.
  const std::string family = load_error(NetworkKind::AdmUNet, unet_legacy(), "B.json", ddpm_state(ddpm_conv()));
  EXPECT_NE(family.find("\n  the checkpoint's keys are those of a DDPM, not of an ADM UNet: set diffusionmodel to \"DDPM\""),
            std::string::npos)
      << family;
  // guided-diffusion's classifier (head `out.*`) given as the DSE: the trunk agrees, the head's name does not.
  StateDict classifier;
  for (const auto& [k, v] : dse_state(dse_attention()))
    classifier[k.rfind("I2Iout.", 0) == 0 ? "out." + k.substr(7) : k] = v;
  const std::string head = load_error(NetworkKind::AdmDse, dse_attention(), "C.json", classifier);
  EXPECT_NE(head.find("egsde train-dse --init"), std::string::npos) << head;
  EXPECT_NE(head.find("already have the checkpoint's values here"), std::string::npos) << head;
}
