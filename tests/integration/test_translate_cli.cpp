// `egsde translate` end to end. Expected values:
//  - OfficialRngReproducesTheOfficialRunner: tests/fixtures/translate/official/ — the official
//    runner (runners/egsde.py EGSDE.egsde() after set_seed(1234), real ADM UNet + DSE at random
//    weights, CPU, one thread) on the fixture's three source images, recorded by
//    scripts/fixtures/make_translate_fixtures.py: raw.npy (final float samples) and the images
//    tvu.save_image wrote.
//  - the other tests compare egsde's own runs with each other (batch-size invariance of the
//    per-sample protocol, resume) or check error messages.
// The CLI runs with OMP_NUM_THREADS=1 like the fixture, so reductions sum in the same order.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "common/test_util.h"
#include "core/image_io.h"
#include "core/json_io.h"
#include "core/npy.h"
#include "models/winograd.h"

using namespace egsde;
namespace fs = std::filesystem;

namespace {

class TranslateCli : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("OMP_NUM_THREADS", "1", 1);
    dir_ = test::temp_dir("translate_cli");
  }
  void TearDown() override { fs::remove_all(dir_); }

  // The fixture profile with absolute paths and `changes` applied to its args, written to dir_.
  fs::path profile(const nlohmann::json& changes = nlohmann::json::object(), const std::string& name = "profile.json") {
    auto j = read_json_file(test::fixture("translate/profile.json"));
    j["args"]["testdata_path"] = test::fixture("translate/source").string();
    j["args"]["ckpt"] = test::fixture("translate/eps.pt").string();
    j["args"]["dsepath"] = test::fixture("translate/dse.pt").string();
    for (const auto& [k, v] : changes.items()) {
      if (v.is_null()) j["args"].erase(k);
      else j["args"][k] = v;
    }
    const auto p = dir_ / name;
    write_json_file(p, j);
    return p;
  }

  int translate(const std::vector<std::string>& extra, std::string* out = nullptr) {
    std::vector<std::string> args = {"translate"};
    args.insert(args.end(), extra.begin(), extra.end());
    return test::run_cli(args, out);
  }

  fs::path dir_;
};

const std::vector<std::string> kNames = {"cat_a.jpg", "cat_b.png", "cat_c.jpg"};

void record(const std::string& key, double v) {
  ::testing::Test::RecordProperty(key, (std::ostringstream() << v).str());
}

// One line, "egsde: error: …", containing `needle`.
void expect_one_line_error(int rc, const std::string& out, const std::string& needle) {
  EXPECT_NE(rc, 0);
  EXPECT_EQ(out.rfind("egsde: error: ", 0), 0u) << out;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
  EXPECT_NE(out.find(needle), std::string::npos) << out;
}

TEST_F(TranslateCli, OfficialRngReproducesTheOfficialRunner) {
  const auto out = dir_ / "out";
  std::string log;
  ASSERT_EQ(translate({"--profile", test::fixture("translate/profile.json").string(), "--output", out.string(), "--rng",
                       "official", "--save-raw", "--quiet"},
                      &log),
            0)
      << log;
  const auto ref = read_npy(test::fixture("translate/official/raw.npy"))[0];
  bool all_bit_identical = true;
  double worst = 0;
  for (size_t i = 0; i < kNames.size(); ++i) {
    const auto stem = fs::path(kNames[i]).stem().string();
    const auto raw = read_npy(out / "0" / (stem + ".npy"));
    const double err = test::rel_error(raw, ref[static_cast<int64_t>(i)]);
    worst = std::max(worst, err);
    all_bit_identical &= torch::equal(raw, ref[static_cast<int64_t>(i)]);
    EXPECT_LT(err, 1e-5) << kNames[i];
    // the written image: same pixels as the official file
    const auto mine = read_image_rgb(out / "0" / kNames[i]);
    const auto theirs = read_image_rgb(test::fixture("translate/official/0/" + kNames[i]));
    const auto diff = (mine.to(torch::kInt32) - theirs.to(torch::kInt32)).abs().max().item<int>();
    EXPECT_LE(diff, 1) << kNames[i];
    record("max_pixel_diff_" + stem, diff);
  }
  record("rel_error_max", worst);
  record("bit_identical", all_bit_identical);
  const auto rec = read_json_file(out / "translate.json");
  EXPECT_EQ(rec["status"], "complete");
  EXPECT_EQ(rec["settings"]["rng"], "official");
  EXPECT_EQ(rec["translated"], 3);
  EXPECT_TRUE(rec["provenance"].contains("commit"));
}

// --conv winograd (models/winograd.h): the same official run within the same tolerance, the
// setting recorded; where oneDNN has no Winograd, one clear line instead.
TEST_F(TranslateCli, WinogradStaysWithinToleranceOfTheOfficialRunner) {
  const auto out = dir_ / "out";
  std::string log;
  const int rc = translate({"--profile", test::fixture("translate/profile.json").string(), "--output", out.string(),
                            "--rng", "official", "--save-raw", "--quiet", "--conv", "winograd"},
                           &log);
  if (!winograd_available()) {
    expect_one_line_error(rc, log, "--conv winograd: ");
    return;
  }
  ASSERT_EQ(rc, 0) << log;
  const auto ref = read_npy(test::fixture("translate/official/raw.npy"))[0];
  double worst = 0;
  for (size_t i = 0; i < kNames.size(); ++i) {
    const auto raw = read_npy(out / "0" / (fs::path(kNames[i]).stem().string() + ".npy"));
    worst = std::max(worst, test::rel_error(raw, ref[static_cast<int64_t>(i)]));
  }
  record("rel_error_max", worst);
  EXPECT_LT(worst, 1e-5);
  EXPECT_EQ(read_json_file(out / "translate.json")["settings"]["conv"], "winograd");
}

// Where Winograd is unavailable (a CPU without AVX-512, or EGSDE_NO_WINOGRAD=1): one clear line.
TEST_F(TranslateCli, WinogradUnavailableGivesOneClearLine) {
  ::setenv("EGSDE_NO_WINOGRAD", "1", 1);
  std::string log;
  const int rc = translate({"--profile", test::fixture("translate/profile.json").string(), "--output",
                            (dir_ / "out").string(), "--quiet", "--conv", "winograd"},
                           &log);
  ::unsetenv("EGSDE_NO_WINOGRAD");
  expect_one_line_error(rc, log, "--conv winograd: ");
  EXPECT_FALSE(fs::exists(dir_ / "out" / "0")) << "nothing translated";
}

TEST_F(TranslateCli, PerSampleResultsDoNotDependOnBatchSize) {
  const auto p = profile({{"t", 6}});
  const auto a = dir_ / "b1", b = dir_ / "b3";
  std::string log;
  ASSERT_EQ(translate({"--profile", p.string(), "--output", a.string(), "--batch-size", "1", "--save-raw", "--quiet"}, &log), 0) << log;
  ASSERT_EQ(translate({"--profile", p.string(), "--output", b.string(), "--batch-size", "3", "--save-raw", "--quiet"}, &log), 0) << log;
  double worst = 0;
  bool identical = true;
  for (const auto& n : kNames) {
    const auto stem = fs::path(n).stem().string() + ".npy";
    const auto x = read_npy(a / "0" / stem), y = read_npy(b / "0" / stem);
    worst = std::max(worst, test::rel_error(x, y));
    identical &= torch::equal(x, y);
  }
  record("rel_error_batch1_vs_batch3", worst);
  record("bit_identical", identical);
  EXPECT_LT(worst, 1e-6);
}

TEST_F(TranslateCli, SecondRunSkipsFinishedImages) {
  const auto p = profile({{"t", 3}});
  const auto out = dir_ / "out";
  std::string log;
  ASSERT_EQ(translate({"--profile", p.string(), "--output", out.string()}, &log), 0) << log;
  EXPECT_NE(log.find("3 translated, 0 already done"), std::string::npos) << log;
  const auto before = fs::last_write_time(out / "0" / "cat_a.jpg");
  fs::remove(out / "0" / "cat_b.png");
  ASSERT_EQ(translate({"--profile", p.string(), "--output", out.string()}, &log), 0) << log;
  EXPECT_NE(log.find("1 translated, 2 already done"), std::string::npos) << log;
  EXPECT_EQ(fs::last_write_time(out / "0" / "cat_a.jpg"), before);
  EXPECT_TRUE(fs::exists(out / "0" / "cat_b.png"));
  // other settings into the same folder: refused without --overwrite
  const auto q = profile({{"t", 4}}, "other.json");
  expect_one_line_error(translate({"--profile", q.string(), "--output", out.string()}, &log), log, "other settings");
  ASSERT_EQ(translate({"--profile", q.string(), "--output", out.string(), "--overwrite", "--quiet"}, &log), 0) << log;
  EXPECT_NE(fs::last_write_time(out / "0" / "cat_a.jpg"), before);
}

TEST_F(TranslateCli, FormatPngAndSdeditMethod) {
  const auto p = profile({{"t", 2}});
  const auto out = dir_ / "out";
  std::string log;
  ASSERT_EQ(translate({"--profile", p.string(), "--output", out.string(), "--format", "png", "--method", "sdedit",
                       "--limit", "2", "--quiet"},
                      &log),
            0)
      << log;
  EXPECT_TRUE(fs::exists(out / "0" / "cat_a.png"));
  EXPECT_TRUE(fs::exists(out / "0" / "cat_b.png"));
  EXPECT_FALSE(fs::exists(out / "0" / "cat_c.png"));  // --limit 2
}

TEST_F(TranslateCli, BadInputGivesOneClearLine) {
  std::string log;
  const auto out = (dir_ / "out").string();
  expect_one_line_error(translate({"--profile", profile({{"seed", nullptr}}).string(), "--output", out}, &log), log,
                        "required key 'seed' is missing");
  expect_one_line_error(
      translate({"--profile", profile({{"ckpt", (dir_ / "nope.pt").string()}}).string(), "--output", out}, &log), log,
      "nope.pt");
  expect_one_line_error(translate({"--profile", (dir_ / "missing.json").string(), "--output", out}, &log), log,
                        "missing.json");
  const auto empty = dir_ / "empty";
  fs::create_directories(empty);
  expect_one_line_error(
      translate({"--profile", profile({{"testdata_path", empty.string()}}).string(), "--output", out}, &log), log,
      "holds no images");
  const auto bad = dir_ / "bad";
  fs::create_directories(bad);
  std::ofstream(bad / "broken.jpg") << "not a jpeg";
  expect_one_line_error(
      translate({"--profile", profile({{"testdata_path", bad.string()}, {"t", 1}}).string(), "--output", out}, &log),
      log, "broken.jpg");
}

}  // namespace
