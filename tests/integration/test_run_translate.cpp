// `egsde run` end to end with the real sampler and metrics on tiny random-weight networks
// (tests/fixtures/translate: the ADM UNet + DSE of the translate fixtures, 3 source images at
// 64×64; a random FID Inception from random_inception_state_dict). Expected values are egsde's
// own: a run's images must equal `egsde translate --rng per-sample` of the run's resolved
// profile (the runner adds scheduling, not numbers), must not depend on the number of workers,
// and a resumed run must give the same images and metrics as an uninterrupted one.
#include <gtest/gtest.h>

#include <fstream>

#include "common/test_util.h"
#include "core/checkpoint.h"
#include "core/digest.h"
#include "core/json_io.h"
#include "core/output_lock.h"
#include "models/inception_fid.h"

#include <hdf5.h>

using namespace egsde;
namespace fs = std::filesystem;

namespace {

std::string bytes(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

class RunTranslate : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ::setenv("OMP_NUM_THREADS", "1", 1);
    dir_ = new fs::path(test::temp_dir("run_translate"));
    write_state_dict(*dir_ / "inception.pth", random_inception_state_dict(7));
    auto profile = read_json_file(test::fixture("translate/profile.json"));
    profile["args"]["testdata_path"] = test::fixture("translate/source").string();
    profile["args"]["ckpt"] = test::fixture("translate/eps.pt").string();
    profile["args"]["dsepath"] = test::fixture("translate/dse.pt").string();
    write_json_file(*dir_ / "profile.json", profile);
    const nlohmann::json spec = {
        {"name", "tiny"},
        {"profile", "profile.json"},
        {"methods", {"egsde", "sdedit"}},
        {"repeats", 1},
        {"respace", 100},
        {"evaluation",
         {{"task", "custom"}, {"protocol", "clean"}, {"target", test::fixture("translate/source").string()},
          {"inception", (*dir_ / "inception.pth").string()}}}};
    write_json_file(*dir_ / "spec.json", spec);
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
  }
  static fs::path spec() { return *dir_ / "spec.json"; }
  static fs::path* dir_;
};
fs::path* RunTranslate::dir_ = nullptr;

const std::vector<std::string> kNames = {"cat_a.jpg", "cat_b.png", "cat_c.jpg"};

std::vector<std::string> run_dirs(const fs::path& out) {
  std::vector<std::string> ids;
  for (const auto& e : fs::directory_iterator(out))
    if (e.is_directory() && fs::exists(e.path() / "run.json")) ids.push_back(e.path().filename().string());
  std::sort(ids.begin(), ids.end());
  return ids;
}

TEST_F(RunTranslate, ImagesEqualTranslateAndDoNotDependOnWorkers) {
  const fs::path one = *dir_ / "one", two = *dir_ / "two";
  std::string log;
  ASSERT_EQ(test::run_cli({"run", spec().string(), "--output", one.string(), "--workers", "1", "--quiet"}, &log), 0)
      << log;
  ASSERT_EQ(test::run_cli({"run", spec().string(), "--output", two.string(), "--workers", "2", "--quiet", "--no-eval"},
                          &log),
            0)
      << log;
  const auto ids = run_dirs(one);
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_EQ(run_dirs(two), ids);
  for (const auto& id : ids) {
    for (const auto& n : kNames) {
      const auto a = one / id / "images" / n, b = two / id / "images" / n;
      ASSERT_TRUE(fs::exists(a)) << a;
      EXPECT_EQ(bytes(a), bytes(b)) << id << "/" << n << ": 1 vs 2 workers";
    }
    const auto m = read_json_file(one / id / "metrics.json");
    for (const char* k : {"fid", "l2", "mse", "psnr", "ssim"}) EXPECT_TRUE(m.at(k).is_number()) << id << " " << k;
    EXPECT_EQ(m.at("images"), 3);
    EXPECT_FALSE(fs::exists(two / id / "metrics.json")) << "--no-eval";
    // per-image records: 3 rows of l2 whose mean is the run's l2
    const auto h5 = one / id / "per_image.h5";
    ASSERT_GT(H5Fis_hdf5(h5.c_str()), 0) << h5;
    const hid_t f = H5Fopen(h5.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    const hid_t ds = H5Dopen2(f, "l2", H5P_DEFAULT);
    double l2[3] = {0, 0, 0};
    const hid_t space = H5Dget_space(ds);
    EXPECT_EQ(H5Sget_simple_extent_npoints(space), 3);
    H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, l2);
    EXPECT_NEAR((l2[0] + l2[1] + l2[2]) / 3, m.at("l2").get<double>(), 1e-12);
    H5Sclose(space);
    H5Dclose(ds);
    H5Fclose(f);
  }

  // The egsde run equals `egsde translate` of its resolved profile with the same seed/respacing.
  for (const auto& id : ids) {
    const auto run = read_json_file(one / id / "run.json");
    if (run.at("method") != "egsde") continue;
    const fs::path out = *dir_ / "translate";
    ASSERT_EQ(test::run_cli({"translate", "--profile", (*dir_ / "profile.json").string(), "--output", out.string(),
                             "--respace", "100", "--quiet"},
                            &log),
              0)
        << log;
    for (const auto& n : kNames) EXPECT_EQ(bytes(out / "0" / n), bytes(one / id / "images" / n)) << n;
  }
}

TEST_F(RunTranslate, ResumeRedoesOnlyWhatIsMissing) {
  const fs::path out = *dir_ / "resume";
  std::string log;
  // (evaluation is covered above; --no-eval keeps this test fast)
  ASSERT_EQ(test::run_cli({"run", spec().string(), "--output", out.string(), "--quiet", "--no-eval"}, &log), 0) << log;
  const auto ids = run_dirs(out);
  ASSERT_FALSE(ids.empty());
  const auto image = bytes(out / ids[0] / "images" / kNames[1]);
  const auto untouched = fs::last_write_time(out / ids[0] / "images" / kNames[0]);
  // A crash after an image was written but before its marker: the item is redone.
  fs::remove(out / ids[0] / "items" / (kNames[1] + ".json"));
  // Without --resume, a root holding finished items is refused.
  EXPECT_NE(test::run_cli({"run", spec().string(), "--output", out.string(), "--quiet", "--no-eval"}, &log), 0);
  ASSERT_EQ(test::run_cli({"run", spec().string(), "--output", out.string(), "--resume", "--no-eval"}, &log), 0) << log;
  EXPECT_NE(log.find("1 items done"), std::string::npos) << log;
  EXPECT_EQ(bytes(out / ids[0] / "images" / kNames[1]), image);
  EXPECT_EQ(fs::last_write_time(out / ids[0] / "images" / kNames[0]), untouched) << "finished items are not redone";
}

TEST_F(RunTranslate, ResumeRefusesRetrainedWeights) {
  // Weights retrained under the same path: the run's weights.json (runner/weights_record.h)
  // makes --resume refuse instead of finishing the run with other networks than its finished
  // images were made with; the original file back, it resumes.
  const fs::path d = *dir_ / "retrained", out = d / "out";
  fs::create_directories(d);
  fs::copy_file(test::fixture("translate/dse.pt"), d / "dse.pt");
  auto profile = read_json_file(*dir_ / "profile.json");
  profile["args"]["dsepath"] = (d / "dse.pt").string();
  write_json_file(d / "profile.json", profile);
  auto spec_json = read_json_file(spec());
  write_json_file(d / "spec.json", spec_json);
  const std::string s = (d / "spec.json").string();
  std::string log;
  ASSERT_EQ(test::run_cli({"run", s, "--output", out.string(), "--quiet", "--no-eval"}, &log), 0) << log;
  const auto ids = run_dirs(out);
  ASSERT_EQ(ids.size(), 2u);
  for (const auto& id : ids) {
    const auto w = read_json_file(out / id / "weights.json");
    EXPECT_EQ(w["ckpt"]["digest"], file_digest(test::fixture("translate/eps.pt"))) << id;
  }
  // the retrained DSE: one tensor changed
  auto sd = read_state_dict(d / "dse.pt");
  auto& first = sd.begin()->second;
  first = first + 1;
  write_state_dict(d / "dse.pt", sd);
  std::string egsde_run;
  for (const auto& id : ids)
    if (read_json_file(out / id / "weights.json").contains("dsepath")) egsde_run = id;
  ASSERT_FALSE(egsde_run.empty()) << "the EGSDE run (ls = 500) records the DSE, SDEdit's does not";
  fs::remove(out / egsde_run / "items" / (kNames[1] + ".json"));  // one item left to do
  const auto before = bytes(out / egsde_run / "images" / kNames[0]);
  const int rc = test::run_cli({"run", s, "--output", out.string(), "--resume", "--quiet", "--no-eval"}, &log);
  EXPECT_NE(rc, 0) << log;
  EXPECT_EQ(log.rfind("egsde: error: run " + egsde_run, 0), 0u) << log;
  EXPECT_EQ(std::count(log.begin(), log.end(), '\n'), 1) << log;
  for (const char* needle : {"other weights", "args.dsepath", "retrained since?", "--output a new directory"})
    EXPECT_NE(log.find(needle), std::string::npos) << needle << " not in: " << log;
  EXPECT_FALSE(fs::exists(out / egsde_run / "items" / (kNames[1] + ".json"))) << "nothing translated";
  EXPECT_EQ(bytes(out / egsde_run / "images" / kNames[0]), before);
  // the original weights back: the run resumes
  fs::copy_file(test::fixture("translate/dse.pt"), d / "dse.pt", fs::copy_options::overwrite_existing);
  ASSERT_EQ(test::run_cli({"run", s, "--output", out.string(), "--resume", "--no-eval"}, &log), 0) << log;
  EXPECT_NE(log.find("1 items done"), std::string::npos) << log;
}

TEST_F(RunTranslate, OfficialRngIsRefusedWithAReason) {
  auto s = read_json_file(spec());
  s["rng"] = "official";
  s["profile"] = (*dir_ / "profile.json").string();
  const auto p = *dir_ / "official.json";
  write_json_file(p, s);
  std::string log;
  EXPECT_NE(test::run_cli({"run", p.string(), "--output", (*dir_ / "off").string(), "--quiet"}, &log), 0);
  EXPECT_NE(log.find("per-sample"), std::string::npos) << log;
}

// Issue 19 (Bad 3): --resume checks each finished item's image against the size and digest in
// its record. A deleted image (with the run's metrics.json) is redone and the metrics equal the
// uninterrupted run's (before: not redone, and the evaluation paired the two remaining images
// with the wrong sources); a truncated image is redone to the same bytes.
TEST_F(RunTranslate, ResumeRedoesMissingOrTruncatedImagesAndMetricsMatch) {
  const fs::path out = *dir_ / "verify";
  std::string log;
  ASSERT_EQ(test::run_cli({"run", spec().string(), "--output", out.string(), "--quiet"}, &log), 0) << log;
  const auto ids = run_dirs(out);
  ASSERT_FALSE(ids.empty());
  const fs::path run = out / ids[0];
  const auto original = read_json_file(run / "metrics.json");
  const auto image_b = bytes(run / "images" / kNames[1]), image_c = bytes(run / "images" / kNames[2]);

  fs::remove(run / "images" / kNames[1]);
  fs::remove(run / "metrics.json");
  ASSERT_EQ(test::run_cli({"run", spec().string(), "--output", out.string(), "--resume", "--quiet"}, &log), 0) << log;
  EXPECT_NE(log.find("1 items done"), std::string::npos) << log;
  EXPECT_NE(log.find("redid 1 finished items whose image no longer matched its record (1 image missing)"),
            std::string::npos)
      << log;
  EXPECT_EQ(bytes(run / "images" / kNames[1]), image_b);
  const auto again = read_json_file(run / "metrics.json");
  for (const char* k : {"l2", "mse", "psnr", "ssim"}) EXPECT_EQ(again.at(k), original.at(k)) << k;
  EXPECT_NEAR(again.at("fid").get<double>(), original.at("fid").get<double>(),
              1e-9 * std::abs(original.at("fid").get<double>()));

  fs::resize_file(run / "images" / kNames[2], image_c.size() / 2);
  ASSERT_EQ(test::run_cli({"run", spec().string(), "--output", out.string(), "--resume", "--quiet", "--no-eval"}, &log), 0)
      << log;
  EXPECT_NE(log.find("(1 image truncated)"), std::string::npos) << log;
  EXPECT_EQ(bytes(run / "images" / kNames[2]), image_c);
  EXPECT_FALSE(fs::exists(run / "metrics.json")) << "the run's metrics described the truncated image";
}

// Issue 19: --keep-going with a corrupt source records only that image as failed; the good image
// decoded in the same batch (batch_size 2: cat_a + cat_b) is translated and finished.
TEST_F(RunTranslate, KeepGoingFailsOnlyTheCorruptImageOfABatch) {
  const fs::path src = *dir_ / "corrupt_src";
  fs::create_directories(src);
  for (const auto& n : kNames) fs::copy_file(test::fixture("translate/source") / n, src / n);
  std::ofstream(src / kNames[0], std::ios::trunc) << "not a jpeg";
  auto profile = read_json_file(*dir_ / "profile.json");
  profile["args"]["testdata_path"] = src.string();
  ASSERT_EQ(profile["args"]["batch_size"], 2);
  write_json_file(*dir_ / "corrupt_profile.json", profile);
  auto s = read_json_file(spec());
  s["name"] = "corrupt";
  s["profile"] = (*dir_ / "corrupt_profile.json").string();
  s["methods"] = {"sdedit"};
  s.erase("evaluation");
  write_json_file(*dir_ / "corrupt.json", s);
  const fs::path out = *dir_ / "corrupt_out";
  std::string log;
  EXPECT_NE(test::run_cli({"run", (*dir_ / "corrupt.json").string(), "--output", out.string(), "--keep-going",
                           "--quiet"}, &log), 0)
      << log;
  EXPECT_NE(log.find("1 items failed"), std::string::npos) << log;
  const auto ids = run_dirs(out);
  ASSERT_EQ(ids.size(), 1u);
  const fs::path run = out / ids[0];
  EXPECT_TRUE(fs::exists(run / "failed" / (kNames[0] + ".json")));
  EXPECT_NE(read_json_file(run / "failed" / (kNames[0] + ".json"))["error"].get<std::string>().find(kNames[0]),
            std::string::npos);
  for (std::size_t i = 1; i < kNames.size(); ++i) {
    EXPECT_FALSE(fs::exists(run / "failed" / (kNames[i] + ".json"))) << kNames[i];
    EXPECT_TRUE(fs::exists(run / "items" / (kNames[i] + ".json"))) << kNames[i];
  }
}

// Issue 19: a second `egsde run` on an output another process is writing refuses with one line
// (the test process holds the lock, as a running egsde would); --dry-run takes no lock.
TEST_F(RunTranslate, SecondRunOnOneOutputIsRefused) {
  const fs::path out = *dir_ / "locked";
  const OutputLock lock = OutputLock::acquire(out, "test");
  std::string log;
  const int rc = test::run_cli({"run", spec().string(), "--output", out.string(), "--quiet"}, &log);
  EXPECT_EQ(rc, 1) << log;
  EXPECT_EQ(log.rfind("egsde: error: another egsde process is writing " + out.string(), 0), 0u) << log;
  EXPECT_EQ(std::count(log.begin(), log.end(), '\n'), 1) << log;
  EXPECT_TRUE(run_dirs(out).empty()) << "the refused run wrote nothing";
  EXPECT_EQ(test::run_cli({"run", spec().string(), "--output", out.string(), "--dry-run"}, &log), 0) << log;
}

}  // namespace
