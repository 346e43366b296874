// One evaluation path (issue 18, item 3): `egsde eval` is a thin adapter over
// metrics::evaluate_folders, which `egsde run` evaluates every run with. On the same folders (4
// images of the metrics fixtures, random FID Inception weights) the runner's evaluator,
// evaluate_folders and `egsde eval --json` must give the same numbers digit for digit (JSON keeps
// doubles round-trip exact): the runner caches the target's statistics, so it equals
// `eval --cache`; without a cache both sides have features (fid_sqrtm "features"), with one the
// target has statistics only ("factored"), and the two exact paths agree to ~1e-15 relative.
// Before the change evaluate_folders always took the factored path and had no KID or MS-SSIM.
// Both processes run with one thread (OMP_NUM_THREADS=1 for the CLI): reductions then sum in
// the same order (with 2 threads the CLI's float32 Inception features differ in the last bits).
#include <gtest/gtest.h>

#include <cstdlib>

#include "common/test_util.h"
#include "core/checkpoint.h"
#include "core/json_io.h"
#include "metrics/evaluate.h"
#include "models/inception_fid.h"
#include "runner/backends.h"

using namespace egsde;
namespace fs = std::filesystem;

namespace {

class EvalPaths : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("OMP_NUM_THREADS", "1", 1);
    torch::set_num_threads(1);
    dir_ = test::temp_dir("eval_paths");
    weights_ = dir_ / "pt_inception_random.pth";
    write_state_dict(weights_, random_inception_state_dict(11));
    // the runner's layout: OUT/<run>/images, target statistics cached in OUT/.fid-cache
    translated_ = dir_ / "out" / "run0" / "images";
    source_ = dir_ / "source";
    target_ = dir_ / "target";
    for (const auto& d : {translated_, source_, target_}) fs::create_directories(d);
    const auto img = test::fixture("metrics/images");
    for (const char* stem : {"cat_0005", "cat_0042", "cat_0116", "cat_0153"}) {
      const std::string ext = std::string(stem) < "cat_0100" ? ".png" : ".jpg";
      fs::copy_file(img / "translated" / (stem + ext), translated_ / (stem + ext));
      fs::copy_file(img / "source" / (std::string(stem) + ".jpg"), source_ / (std::string(stem) + ".jpg"));
    }
    for (const char* name : {"dog_0000.jpg", "dog_0001.jpg", "dog_0002.jpg", "dog_0003.jpg"})
      fs::copy_file(img / "target" / name, target_ / name);
  }
  void TearDown() override { fs::remove_all(dir_); }

  nlohmann::json cli_eval(std::vector<std::string> extra) {
    const auto json = dir_ / "scores.json";
    std::vector<std::string> args = {"eval",     "--translated", translated_.string(), "--source", source_.string(),
                                     "--target", target_.string(), "--inception",      weights_.string(),
                                     "--json",   json.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    std::string log;
    EXPECT_EQ(test::run_cli(args, &log), 0) << log;
    return read_json_file(json);
  }

  metrics::EvalRequest request() const {
    metrics::EvalRequest r;
    r.translated = translated_;
    r.source = source_;
    r.target = target_;
    return r;
  }

  fs::path dir_, weights_, translated_, source_, target_;
};

void expect_same_numbers(const nlohmann::json& a, const nlohmann::json& b, const std::vector<std::string>& keys) {
  for (const auto& k : keys) {
    ASSERT_TRUE(a.contains(k) && b.contains(k)) << k << ": " << a.dump() << " vs " << b.dump();
    EXPECT_EQ(a[k], b[k]) << k;  // exact: the same computation, not a tolerance
  }
}

const std::vector<std::string> kTableKeys = {"fid", "fid_sqrtm", "fid_eps_offset", "l2", "mse", "psnr", "ssim",
                                             "protocol", "n_images", "n_sources", "pairing", "warnings", "notes"};

TEST_F(EvalPaths, RunnerEvaluatorEqualsEvalWithCache) {
  runner::Evaluation ev;
  ev.source = source_;
  ev.target = target_;
  ev.inception = weights_;
  const auto runner_scores =
      runner::metrics_evaluator()(runner::Run{}, ev, translated_, {}, dir_ / "out" / "run0" / "per_image.h5");
  EXPECT_TRUE(fs::exists(dir_ / "out" / ".fid-cache"));
  const auto cli = cli_eval({"--cache", (dir_ / "cli-cache").string()});
  expect_same_numbers(runner_scores, cli, kTableKeys);
  EXPECT_EQ(cli["fid_sqrtm"], "factored");
  // eval --cache caches the target only, as the runner does
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_ / "cli-cache"), fs::directory_iterator{}), 1);
  // a second run reads the cache: the same numbers
  expect_same_numbers(cli_eval({"--cache", (dir_ / "cli-cache").string()}), cli, kTableKeys);
}

TEST_F(EvalPaths, EvaluateFoldersEqualsEvalWithKidAndMsSsim) {
  auto r = request();
  r.kid = true;
  r.kid_options.subsets = 3;
  r.kid_options.subset_size = 3;
  r.kid_options.seed = 5;
  r.ms_ssim = true;
  metrics::InceptionFeatures inc{weights_};
  const auto lib = metrics::evaluate_folders(r, inc).scores;
  const auto cli = cli_eval({"--kid", "--kid-subsets", "3", "--kid-subset-size", "3", "--kid-seed", "5", "--ms-ssim"});
  auto keys = kTableKeys;
  for (const char* k : {"kid", "kid_std", "kid_subsets", "kid_subset_size", "kid_seed", "ms_ssim"}) keys.push_back(k);
  expect_same_numbers(lib, cli, keys);
  EXPECT_EQ(cli["fid_sqrtm"], "features");
  EXPECT_EQ(cli["kid_subset_size"], 3);

  // The cached target (statistics only) takes the factored path: the same FID to ~1e-15.
  r.kid = false;
  r.ms_ssim = false;
  r.cache = dir_ / "lib-cache";
  const auto cached = metrics::evaluate_folders(r, inc).scores;
  EXPECT_EQ(cached["fid_sqrtm"], "factored");
  const double f = lib["fid"].get<double>(), c = cached["fid"].get<double>();
  EXPECT_LT(std::abs(f - c), 1e-12 * std::abs(f)) << f << " vs " << c;
  expect_same_numbers(lib, cached, {"l2", "mse", "psnr", "ssim"});
}

TEST_F(EvalPaths, NoFidNeedsNoNetwork) {
  auto r = request();
  r.fid = false;
  metrics::InceptionFeatures none{""};  // no weights: FID would throw
  const auto lib = metrics::evaluate_folders(r, none).scores;
  EXPECT_TRUE(lib["fid"].is_null());
  std::string log;
  const auto json = dir_ / "nofid.json";
  ASSERT_EQ(test::run_cli({"eval", "--translated", translated_.string(), "--source", source_.string(), "--no-fid",
                           "--json", json.string()},
                          &log),
            0)
      << log;
  expect_same_numbers(lib, read_json_file(json), {"fid", "l2", "mse", "psnr", "ssim", "n_images"});
  r.kid = true;  // KID without FID: refused in one line
  EXPECT_NE(test::error_of([&] { metrics::evaluate_folders(r, none); }).find("without FID"), std::string::npos);
}

}  // namespace
