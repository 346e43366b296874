// One image listing (core/image_list.h) for every command: translate writes, run plans and the
// metrics list the same files of a nested, mixed-case folder, and two files of one name are an
// error naming both. Expected lists are written out by hand from the folder built here (the
// official IMG_EXTENSIONS are case-sensitive: .JPG and .PNG count, .Jpg and .webp do not).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "common/test_util.h"
#include "core/json_io.h"
#include "metrics/image_io.h"
#include "runner/plan.h"
#include "runner/spec.h"

using namespace egsde;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> file_names(const std::vector<fs::path>& files) {
  std::vector<std::string> names;
  for (const auto& f : files) names.push_back(f.filename().string());
  return names;
}

class ImageListing : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("OMP_NUM_THREADS", "1", 1);
    dir_ = test::temp_dir("image_listing");
    src_ = dir_ / "src";
    fs::create_directories(src_ / "sub");
    const auto images = test::fixture("translate/source");
    fs::copy_file(images / "cat_a.jpg", src_ / "cat_a.jpg");
    fs::copy_file(images / "cat_b.png", src_ / "UPPER.PNG");
    fs::copy_file(images / "cat_c.jpg", src_ / "sub" / "nested.JPG");
    fs::copy_file(images / "cat_c.jpg", src_ / "mixed.Jpg");  // not an official extension
    std::ofstream(src_ / "notes.txt") << "not an image";
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_, src_;
  // Sorted by path: "src/UPPER.PNG" < "src/cat_a.jpg" < "src/sub/nested.JPG" (byte order).
  const std::vector<std::string> expected_ = {"UPPER.PNG", "cat_a.jpg", "nested.JPG"};
};

TEST_F(ImageListing, TranslateRunAndMetricsListTheSameFiles) {
  EXPECT_EQ(file_names(metrics::list_images(src_)), expected_);
  EXPECT_EQ(runner::list_images(src_).names, expected_);

  auto profile = read_json_file(test::fixture("translate/profile.json"));
  profile["args"]["testdata_path"] = src_.string();
  profile["args"]["ckpt"] = test::fixture("translate/eps.pt").string();
  profile["args"]["dsepath"] = test::fixture("translate/dse.pt").string();
  profile["args"]["t"] = 1;
  write_json_file(dir_ / "profile.json", profile);
  std::string log;
  ASSERT_EQ(test::run_cli({"translate", "--profile", (dir_ / "profile.json").string(), "--output",
                           (dir_ / "out").string(), "--quiet"},
                          &log),
            0)
      << log;
  EXPECT_EQ(file_names(metrics::list_images(dir_ / "out" / "0")), expected_) << log;

  nlohmann::json spec = {{"name", "listing"}, {"profile", profile}, {"methods", {"sdedit"}}};
  runner::PlanOptions po;
  po.output = dir_ / "runs";
  const runner::Plan plan = runner::make_plan(runner::parse_spec(spec, dir_ / "spec.json"), po);
  ASSERT_EQ(plan.runs.size(), 1u);
  std::vector<std::string> items;
  for (const auto& item : plan.runs[0].items) items.push_back(item.image);
  EXPECT_EQ(items, expected_);
  EXPECT_EQ(plan.runs[0].items[2].source, src_ / "sub" / "nested.JPG");
}

TEST_F(ImageListing, TwoFilesOfOneNameAreNamedInEveryCommand) {
  fs::copy_file(src_ / "cat_a.jpg", src_ / "sub" / "cat_a.jpg");
  const std::string a = (src_ / "cat_a.jpg").string(), b = (src_ / "sub" / "cat_a.jpg").string();
  const std::string plan_error = test::error_of([&] { runner::list_images(src_); });
  EXPECT_NE(plan_error.find(a + " and " + b + " have the same file name 'cat_a.jpg'"), std::string::npos) << plan_error;

  auto profile = read_json_file(test::fixture("translate/profile.json"));
  profile["args"]["testdata_path"] = src_.string();
  write_json_file(dir_ / "profile.json", profile);
  std::string log;
  EXPECT_NE(test::run_cli({"translate", "--profile", (dir_ / "profile.json").string(), "--output",
                           (dir_ / "out").string(), "--quiet"},
                          &log),
            0);
  EXPECT_NE(log.find(a), std::string::npos) << log;
  EXPECT_NE(log.find(b), std::string::npos) << log;
}

}  // namespace
