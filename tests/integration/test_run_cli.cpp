// `egsde run` through the binary: --dry-run lists the runs with their ids and item counts,
// shards split the items, bad specs give one line naming the nearest key, and a missing
// checkpoint is named. Real runs: test_run_translate.cpp.
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <regex>

#include "common/test_util.h"
#include "core/json_io.h"
#include "runner/expand.h"
#include "runner/spec.h"

using namespace egsde;
namespace fs = std::filesystem;

namespace {

std::string spec_path() { return test::fixture("specs/small.json").string(); }

std::size_t total_items(const std::string& text) {
  std::smatch m;
  if (!std::regex_search(text, m, std::regex("total (\\d+) items"))) return 0;
  return std::stoul(m[1]);
}

void expect_one_line_error(int rc, const std::string& text, const std::string& needle) {
  EXPECT_NE(rc, 0) << text;
  EXPECT_EQ(text.rfind("egsde: error: ", 0), 0u) << text;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
  EXPECT_NE(text.find(needle), std::string::npos) << "expected '" << needle << "' in: " << text;
}

}  // namespace

TEST(RunCli, DryRunListsRunsWithIds) {
  std::string text;
  const fs::path out = test::temp_dir("run_dry");
  const int rc = test::run_cli({"run", spec_path(), "--dry-run", "--output", (out / "o").string()}, &text);
  ASSERT_EQ(rc, 0) << text;
  const auto runs = runner::expand(runner::read_spec(spec_path())).runs;
  ASSERT_EQ(runs.size(), 6u);
  for (const auto& r : runs) {
    EXPECT_NE(text.find(r.id), std::string::npos) << r.id << " missing in:\n" << text;
    EXPECT_NE(text.find(r.label), std::string::npos) << r.label;
  }
  EXPECT_NE(text.find("6 runs (2 grid points collapsed"), std::string::npos) << text;
  EXPECT_EQ(total_items(text), 18u) << text;
  EXPECT_FALSE(fs::exists(out / "o")) << "a dry run writes nothing";
  fs::remove_all(out);
}

TEST(RunCli, DryRunShardsAndOnly) {
  std::size_t sum = 0;
  for (const char* shard : {"0/3", "1/3", "2/3"}) {
    std::string text;
    ASSERT_EQ(test::run_cli({"run", spec_path(), "--dry-run", "--shard", shard}, &text), 0) << text;
    EXPECT_NE(text.find(std::string("shard ") + shard), std::string::npos) << text;
    sum += total_items(text);
  }
  EXPECT_EQ(sum, 18u);

  const auto runs = runner::expand(runner::read_spec(spec_path())).runs;
  std::string text;
  ASSERT_EQ(test::run_cli({"run", spec_path(), "--dry-run", "--only", runs[1].id.substr(0, 8), "--max-images", "2"}, &text), 0)
      << text;
  EXPECT_NE(text.find("1 runs"), std::string::npos) << text;
  EXPECT_EQ(total_items(text), 2u) << text;

  const int rc = test::run_cli({"run", spec_path(), "--dry-run", "--only", "zzzzzz"}, &text);
  expect_one_line_error(rc, text, "did you mean");
}

TEST(RunCli, BadSpecNamesTheNearestKey) {
  const fs::path dir = test::temp_dir("run_badspec");
  auto j = read_json_file(spec_path());
  j["profile"]["args"]["testdata_path"] = test::fixture("specs/images").string();
  j["grid"] = {{"args.lss", {1, 2}}};
  write_json_file(dir / "bad.json", j);
  std::string text;
  int rc = test::run_cli({"run", (dir / "bad.json").string(), "--dry-run"}, &text);
  expect_one_line_error(rc, text, "did you mean 'args.ls'");

  rc = test::run_cli({"run", (dir / "missing.json").string(), "--dry-run"}, &text);
  expect_one_line_error(rc, text, "missing.json");

  rc = test::run_cli({"run", spec_path(), "--dry-run", "--shard", "3/3"}, &text);
  expect_one_line_error(rc, text, "0..n-1");

  rc = test::run_cli({"run", spec_path(), "--dry-run", "--devices", "gpu0"}, &text);
  expect_one_line_error(rc, text, "cuda:0");
  fs::remove_all(dir);
}

TEST(RunCli, MissingCheckpointNamesTheFile) {
  const fs::path out = test::temp_dir("run_nockpt");
  std::string text;
  const int rc = test::run_cli({"run", spec_path(), "--output", (out / "o").string(), "--quiet"}, &text);
  EXPECT_NE(rc, 0);
  EXPECT_NE(text.find("score.pt"), std::string::npos) << text;
  EXPECT_NE(text.find("egsde: error: "), std::string::npos) << text;
  fs::remove_all(out);
}

TEST(RunCli, PaperSpecsDryRun) {
  const fs::path paper = test::fixture("x").parent_path().parent_path().parent_path() / "experiments" / "paper";
  for (const char* task : {"cat2dog", "wild2dog", "male2female"}) {
    std::string text;
    const int rc = test::run_cli({"run", (paper / (std::string(task) + ".json")).string(), "--dry-run"}, &text);
    EXPECT_EQ(rc, 0) << text;
    EXPECT_NE(text.find("egsde-dagger"), std::string::npos) << text;
  }
}

// Issue 19: a negative --max-images is refused with one line (it was accepted), and cuda devices
// on a build or machine without CUDA give one line (not LibTorch's dispatcher text).
TEST(RunCli, BadMaxImagesAndDevicesAreOneLine) {
  std::string text;
  int rc = test::run_cli({"run", spec_path(), "--dry-run", "--max-images", "-3"}, &text);
  expect_one_line_error(rc, text, "--max-images -3");
  rc = test::run_cli({"run", spec_path(), "--dry-run", "--max-images", "-1"}, &text);
  expect_one_line_error(rc, text, "N >= 0");
  ASSERT_EQ(test::run_cli({"run", spec_path(), "--dry-run", "--max-images", "0"}, &text), 0) << text;
  if (torch::cuda::is_available()) GTEST_SKIP() << "CUDA is available here";
  const fs::path out = test::temp_dir("run_cuda");
  for (const char* devices : {"cuda:0", "cpu,cuda:1"}) {
    rc = test::run_cli({"run", spec_path(), "--output", (out / "o").string(), "--devices", devices, "--quiet"}, &text);
    expect_one_line_error(rc, text, "CUDA is not available");
  }
  fs::remove_all(out);
}

// Issue 19: --dry-run fails where every worker would, with the worker's message (it passed these
// specs, then every item failed), and names inputs that do not exist yet as notes; a real run
// refuses them before the first item.
TEST(RunCli, DryRunFailsWhereARunWould) {
  const fs::path dir = test::temp_dir("run_preflight");
  const fs::path images = test::fixture("specs/images");
  auto base = read_json_file(spec_path());
  base["profile"]["args"]["testdata_path"] = images.string();
  auto check = [&](const std::function<void(nlohmann::json&)>& change, const std::string& needle) {
    auto j = base;
    change(j);
    write_json_file(dir / "s.json", j);
    std::string text;
    const int rc = test::run_cli({"run", (dir / "s.json").string(), "--dry-run"}, &text);
    expect_one_line_error(rc, text, needle);
  };
  check([](auto& j) { j["profile"]["args"]["phase"] = "train"; }, "phase 'train'");
  check([](auto& j) { j["profile"]["config"].erase("dse"); }, "section 'dse' is required when ls is not 0");
  check([](auto& j) { j["rng"] = "official"; }, "use 'per-sample' in the spec");
  check([](auto& j) { j["profile"]["args"]["sample_step"] = 2; }, "set sample_step to 1");
  check([&](auto& j) { j["profile"]["args"]["testdata_path"] = (images / "a.png").string(); },
        "is a file; it must be a folder of images");
  check([&](auto& j) { j["evaluation"]["inception"] = images.string(); }, "evaluation.inception " + images.string() + " is a folder, not a file");

  // Inputs not there yet: notes in the dry run (exit 0), refused by a real run before any item.
  write_json_file(dir / "s.json", base);
  std::string text;
  ASSERT_EQ(test::run_cli({"run", (dir / "s.json").string(), "--dry-run"}, &text), 0) << text;
  for (const std::string& key : {"args.ckpt " + (dir / "weights/score.pt").string(),
                                 "args.dsepath " + (dir / "weights/dse.pt").string(),
                                 "evaluation.inception " + (dir / "weights/inception.pth").string()})
    EXPECT_NE(text.find(key + " does not exist; "), std::string::npos) << key << " in:\n" << text;
  const int rc = test::run_cli({"run", (dir / "s.json").string(), "--output", (dir / "o").string(), "--quiet"}, &text);
  expect_one_line_error(rc, text, "does not exist");
  EXPECT_FALSE(fs::exists(dir / "o")) << "refused before the output was made";

  // A respacing that leaves one step below t warns (t = 5 of 10 steps, 2 spaced: 0 and 9).
  auto j = base;
  j["respace"] = 2;
  write_json_file(dir / "s.json", j);
  ASSERT_EQ(test::run_cli({"run", (dir / "s.json").string(), "--dry-run"}, &text), 0) << text;
  EXPECT_NE(text.find("egsde: warning: " + (dir / "s.json").string() +
                      ": respace 2 spaces the whole 10-step schedule and keeps 1 step below t = 5"),
            std::string::npos)
      << text;
  fs::remove_all(dir);
}
