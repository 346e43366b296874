// A checkpoint that does not match its config, through the binary: exit 1, one error whose first
// line names the checkpoint and the config, then indented lines with the differing keys and the
// settings that would match. The configs are the fixtures' own (tests/fixtures/*/config.json,
// tests/fixtures/translate/profile.json), so the expected settings are known.
#include <gtest/gtest.h>

#include <algorithm>

#include "common/test_util.h"
#include "core/json_io.h"

using namespace egsde;
namespace fs = std::filesystem;

namespace {

// rc 1, "egsde: error: checkpoint <ckpt> does not match <network>: …" then detail lines that
// all start with two spaces; `needles` in the whole text.
void expect_mismatch_error(int rc, const std::string& text, const std::string& first_line_start,
                           const std::vector<std::string>& needles) {
  EXPECT_EQ(rc, 1) << text;
  EXPECT_EQ(text.rfind("egsde: error: " + first_line_start, 0), 0u) << text;
  std::stringstream in(text);
  std::string line;
  std::getline(in, line);
  size_t details = 0;
  while (std::getline(in, line)) {
    EXPECT_EQ(line.rfind("  ", 0), 0u) << "not a detail line: " << line;
    ++details;
  }
  EXPECT_GE(details, 2u) << text;
  for (const auto& n : needles) EXPECT_NE(text.find(n), std::string::npos) << "expected '" << n << "' in: " << text;
}

}  // namespace

TEST(MismatchCli, ProbeNamesTheFileAndSuggestsTheCheckpointsSettings) {
  // The legacy config with the class-conditional fixture's weights.
  const auto tmp = test::temp_dir("mismatch_probe");
  const auto config = test::fixture("adm_unet_legacy/config.json").string();
  const auto weights = test::fixture("adm_unet_classcond/weights.pt").string();
  const auto dir = test::fixture("adm_unet_legacy");
  std::string text;
  const int rc = test::run_cli({"probe", "--model", "adm-unet", "--config", config, "--weights", weights, "--input",
                                (dir / "input.npy").string(), "--timesteps", (dir / "timesteps.npy").string(),
                                "--output", (tmp / "out.npy").string()},
                               &text);
  // tests/fixtures/adm_unet_classcond/config.json against adm_unet_legacy/config.json: these differ.
  expect_mismatch_error(rc, text, "checkpoint " + weights + " does not match the ADM UNet built from config " + config + ": ",
                        {"\n  missing (in the network, not in the checkpoint): ", "\n  unexpected (in the checkpoint",
                         "\n  to match the checkpoint, set attention_resolutions = \"8\", channel_mult = \"1,1,1\", "
                         "class_cond = true, num_class = 3, num_res_blocks = 2, resblock_updown = false\n",
                         "\n  not inferable from the shapes: num_heads"});
  EXPECT_FALSE(fs::exists(tmp / "out.npy"));
}

TEST(MismatchCli, TranslateNamesProfileKeys) {
  // The translate fixture's profile with a model and then a dse section that its weights do not fit.
  const auto tmp = test::temp_dir("mismatch_translate");
  auto j = read_json_file(test::fixture("translate/profile.json"));
  j["args"]["testdata_path"] = test::fixture("translate/source").string();
  j["args"]["ckpt"] = test::fixture("translate/eps.pt").string();
  j["args"]["dsepath"] = test::fixture("translate/dse.pt").string();
  struct Case {
    std::string section, key;
    nlohmann::json wrong;
    std::string ckpt, network, suggestion;
  };
  const std::vector<Case> cases = {
      {"model", "num_res_blocks", 2, "eps.pt", "the ADM UNet", "set config.model.num_res_blocks = 1\n"},
      {"dse", "classifier_depth", 2, "dse.pt", "the DSE", "set config.dse.classifier_depth = 1\n"},
  };
  for (const auto& c : cases) {
    auto changed = j;
    changed["config"][c.section][c.key] = c.wrong;
    const auto profile = tmp / ("profile_" + c.section + ".json");
    write_json_file(profile, changed);
    std::string text;
    const int rc = test::run_cli({"translate", "--profile", profile.string(), "--output", (tmp / "out").string()}, &text);
    expect_mismatch_error(rc, text,
                          "checkpoint " + test::fixture("translate/" + c.ckpt).string() + " does not match " + c.network +
                              " built from profile " + profile.string() + ": ",
                          {"\n  to match the checkpoint, " + c.suggestion});
  }
}
