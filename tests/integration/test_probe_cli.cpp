// `egsde probe` end to end through the binary: the official outputs are reproduced from the
// fixture files (tests/fixtures/*/, made by scripts/fixtures/make_*_fixtures.py running the
// official code), and every kind of bad input gives one line naming the file, exit != 0 and
// no output file.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "common/test_util.h"
#include "core/checkpoint.h"
#include "core/json_io.h"
#include "core/npy.h"

using namespace egsde;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> probe_args(const std::string& fixture_case, const fs::path& out) {
  const auto dir = test::fixture(fixture_case);
  return {"probe", "--model", "adm-unet", "--config", (dir / "config.json").string(),
          "--weights", (dir / "weights.pt").string(), "--input", (dir / "input.npy").string(),
          "--timesteps", (dir / "timesteps.npy").string(), "--output", out.string()};
}

void set_arg(std::vector<std::string>& args, const std::string& flag, const std::string& value) {
  for (size_t i = 0; i + 1 < args.size(); ++i)
    if (args[i] == flag) args[i + 1] = value;
}

// Runs a probe that must fail: exit != 0, a single "egsde: error:" line mentioning `needle`,
// and no output file.
void expect_clean_failure(const std::vector<std::string>& args, const fs::path& out, const std::string& needle) {
  std::string text;
  const int rc = test::run_cli(args, &text);
  EXPECT_NE(rc, 0) << text;
  EXPECT_EQ(text.rfind("egsde: error: ", 0), 0u) << text;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
  EXPECT_NE(text.find(needle), std::string::npos) << "expected '" << needle << "' in: " << text;
  EXPECT_FALSE(fs::exists(out)) << "no output may be written on error";
}

}  // namespace

TEST(ProbeCli, ReproducesOfficialAdmUNetOutput) {
  const auto out = test::temp_dir("probe") / "out.npy";
  auto args = probe_args("adm_unet_legacy", out);
  args.push_back("--summary");
  std::string text;
  ASSERT_EQ(test::run_cli(args, &text), 0) << text;
  EXPECT_NE(text.find("parameters"), std::string::npos);
  EXPECT_LT(test::rel_error(read_npy(out), read_npy(test::fixture("adm_unet_legacy/output.npy"))), 1e-5);
  // Refuses to overwrite unless asked.
  expect_clean_failure(probe_args("adm_unet_legacy", out), out.parent_path() / "never", "--overwrite");
  args.push_back("--overwrite");
  EXPECT_EQ(test::run_cli(args), 0);
}

TEST(ProbeCli, ReproducesOfficialDseBothPhases) {
  const auto dir = test::fixture("adm_dse_attention");
  const auto tmp = test::temp_dir("probe_dse");
  for (const std::string phase : {"test", "train"}) {
    const auto out = tmp / (phase + ".npy");
    std::string text;
    ASSERT_EQ(test::run_cli({"probe", "--model", "adm-dse", "--config", (dir / "config.json").string(), "--weights",
                             (dir / "weights.pt").string(), "--input", (dir / "input.npy").string(), "--timesteps",
                             (dir / "timesteps.npy").string(), "--phase", phase, "--output", out.string()},
                            &text),
              0)
        << text;
    const auto ref = read_npy(dir / (phase == "test" ? "output.npy" : "output_train.npy"));
    EXPECT_LT(test::rel_error(read_npy(out), ref), 1e-5) << phase;
  }
}

TEST(ProbeCli, MissingWeightsFile) {
  const auto out = test::temp_dir("probe_bad") / "out.npy";
  auto args = probe_args("adm_unet_legacy", out);
  set_arg(args, "--weights", "/nonexistent/w.pt");
  expect_clean_failure(args, out, "/nonexistent/w.pt: file not found");
}

TEST(ProbeCli, NotACheckpoint) {
  const auto tmp = test::temp_dir("probe_bad");
  std::ofstream(tmp / "junk.pt") << "definitely not a checkpoint";
  auto args = probe_args("adm_unet_legacy", tmp / "out.npy");
  set_arg(args, "--weights", (tmp / "junk.pt").string());
  expect_clean_failure(args, tmp / "out.npy", "junk.pt: not a PyTorch checkpoint");
}

TEST(ProbeCli, ConfigCheckpointMismatch) {
  const auto tmp = test::temp_dir("probe_bad");
  auto args = probe_args("adm_unet_legacy", tmp / "out.npy");
  // The neworder fixture's config describes a different network than the legacy weights.
  set_arg(args, "--weights", test::fixture("adm_unet_classcond/weights.pt").string());
  std::string text;
  EXPECT_EQ(test::run_cli(args, &text), 1) << text;
  // The first line names the file; the indented lines after it list keys and suggest settings
  // (tests/integration/test_mismatch_cli.cpp checks them).
  EXPECT_EQ(text.rfind("egsde: error: checkpoint " + test::fixture("adm_unet_classcond/weights.pt").string() +
                           " does not match the ADM UNet built from config ",
                       0),
            0u)
      << text;
  EXPECT_FALSE(fs::exists(tmp / "out.npy"));
}

TEST(ProbeCli, WrongInputRankAndChannels) {
  const auto tmp = test::temp_dir("probe_bad");
  write_npy(tmp / "rank3.npy", torch::zeros({3, 32, 32}));
  write_npy(tmp / "gray.npy", torch::zeros({2, 1, 32, 32}));
  auto args = probe_args("adm_unet_legacy", tmp / "out.npy");
  set_arg(args, "--input", (tmp / "rank3.npy").string());
  expect_clean_failure(args, tmp / "out.npy", "rank3.npy has shape [3, 32, 32]; expected [N, 3, H, W]");
  set_arg(args, "--input", (tmp / "gray.npy").string());
  expect_clean_failure(args, tmp / "out.npy", "gray.npy has 1 channels; expected 3");
}

TEST(ProbeCli, TimestepCountMustMatchBatch) {
  const auto tmp = test::temp_dir("probe_bad");
  write_npy(tmp / "t3.npy", torch::tensor({1, 2, 3}, torch::kInt64));
  auto args = probe_args("adm_unet_legacy", tmp / "out.npy");
  set_arg(args, "--timesteps", (tmp / "t3.npy").string());
  expect_clean_failure(args, tmp / "out.npy", "t3.npy has 3 values but input");
}

TEST(ProbeCli, UnknownConfigKeySuggestsNearest) {
  const auto tmp = test::temp_dir("probe_bad");
  std::ofstream(tmp / "c.json") << R"({"image_size": 32, "num_chanels": 32})";
  auto args = probe_args("adm_unet_legacy", tmp / "out.npy");
  set_arg(args, "--config", (tmp / "c.json").string());
  expect_clean_failure(args, tmp / "out.npy", "num_channels");
}

TEST(ProbeCli, ReproducesOfficialDdpmOutput) {
  // tests/fixtures/ddpm_conv: scripts/fixtures/make_ddpm_fixtures.py running the official
  // models/ddpm.py; weights carry DataParallel's 'module.' prefix like the released file.
  const auto dir = test::fixture("ddpm_conv");
  const auto out = test::temp_dir("probe_ddpm") / "out.npy";
  std::string text;
  ASSERT_EQ(test::run_cli({"probe", "--model", "ddpm-unet", "--config", (dir / "config.json").string(), "--weights",
                           (dir / "weights.pt").string(), "--input", (dir / "input.npy").string(), "--timesteps",
                           (dir / "timesteps.npy").string(), "--output", out.string()},
                          &text),
            0)
      << text;
  EXPECT_LT(test::rel_error(read_npy(out), read_npy(dir / "output.npy")), 1e-5);
}

// Issue 19: --help says an egsde profile works as --config; it does (the yml under "config",
// the model section for adm-unet with data.image_size, the whole yml for ddpm-unet).
TEST(ProbeCli, EgsdeProfileAsConfig) {
  const auto tmp = test::temp_dir("probe_profile");
  for (const auto& [kind, fixture_case] : std::vector<std::pair<std::string, std::string>>{
           {"adm-unet", "adm_unet_legacy"}, {"ddpm-unet", "ddpm_conv"}}) {
    const auto dir = test::fixture(fixture_case);
    const auto config = read_json_file(dir / "config.json");
    nlohmann::json yml = config;
    if (kind == "adm-unet") yml = {{"data", {{"image_size", config["image_size"]}}}, {"model", config}};
    const auto profile = tmp / (fixture_case + ".profile.json");
    std::ofstream(profile) << nlohmann::json{{"args", {{"t", 1}}}, {"config", yml}}.dump();
    const auto out = tmp / (fixture_case + ".npy");
    std::string text;
    ASSERT_EQ(test::run_cli({"probe", "--model", kind, "--config", profile.string(), "--weights",
                             (dir / "weights.pt").string(), "--input", (dir / "input.npy").string(), "--timesteps",
                             (dir / "timesteps.npy").string(), "--output", out.string()},
                            &text),
              0)
        << text;
    EXPECT_LT(test::rel_error(read_npy(out), read_npy(dir / "output.npy")), 1e-5) << kind;
  }
}
