// `egsde bench` on the tiny translate fixture profile (64², random weights of the fixture
// scripts): the rows it promises (methods × precisions × batches), the JSON keys that
// scripts/device/gpu_summary.py and scripts/bench_report.py read, and one-line refusals.
#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "common/test_util.h"

using namespace egsde;

namespace {

nlohmann::json bench(const std::vector<std::string>& extra, int* rc, std::string* text) {
  const auto dir = test::temp_dir("bench_cli");
  std::vector<std::string> args{"bench", "--profile", test::fixture("translate/profile.json").string(), "--steps", "1",
                                "--warmup", "1", "--json", (dir / "b.json").string()};
  args.insert(args.end(), extra.begin(), extra.end());
  *rc = test::run_cli(args, text);
  std::ifstream in(dir / "b.json");
  return in ? nlohmann::json::parse(in) : nlohmann::json();
}

TEST(BenchCli, OneRowPerMethodPrecisionAndBatch) {
  int rc = 0;
  std::string text;
  const auto j = bench({"--methods", "egsde", "--precision", "fp32,bf16", "--batch", "1,2"}, &rc, &text);
  ASSERT_EQ(rc, 0) << text;
  ASSERT_EQ(j.at("rows").size(), 4u) << j.dump();
  for (const auto& r : j["rows"]) {
    EXPECT_EQ(r.at("method"), "egsde");
    EXPECT_GT(r.at("seconds_per_step").get<double>(), 0);
    EXPECT_GT(r.at("images_per_s_at_M").get<double>(), 0);
    EXPECT_EQ(r.at("peak_device_mib").get<double>(), -1);  // a CPU device
    EXPECT_FALSE(r.at("largest_batch").get<bool>());
  }
  EXPECT_EQ(j["rows"][0]["precision"], "fp32");
  EXPECT_EQ(j["rows"][3]["precision"], "bf16");
  EXPECT_EQ(j["rows"][3]["batch"], 2);
  EXPECT_TRUE(j.at("provenance").contains("cuda"));
}

TEST(BenchCli, LargestBatchRowDoublesFromTheLastBatch) {
  int rc = 0;
  std::string text;
  const auto j = bench({"--methods", "sdedit", "--batch", "1", "--max-batch", "2"}, &rc, &text);
  ASSERT_EQ(rc, 0) << text;
  ASSERT_EQ(j.at("rows").size(), 2u) << j.dump();
  EXPECT_EQ(j["rows"][1]["batch"], 2);
  EXPECT_TRUE(j["rows"][1]["largest_batch"].get<bool>());
}

TEST(BenchCli, BadChoicesAreOneLine) {
  for (const auto& extra : {std::vector<std::string>{"--methods", "egsd"}, {"--precision", "fp16"}}) {
    int rc = 0;
    std::string text;
    bench(extra, &rc, &text);
    EXPECT_EQ(rc, 1) << text;
    EXPECT_NE(text.find("egsde: error:"), std::string::npos) << text;
  }
}

TEST(BenchCli, CudaWithoutCudaIsOneLine) {
  if (torch::cuda::is_available()) GTEST_SKIP() << "CUDA is available here";
  int rc = 0;
  std::string text;
  bench({"--device", "cuda"}, &rc, &text);
  EXPECT_EQ(rc, 1) << text;
  EXPECT_NE(text.find("CUDA is not available"), std::string::npos) << text;
  // the runner checks its devices before it plans (a --dry-run included)
  const auto spec = test::fixture("specs/small.json").string();
  rc = test::run_cli({"run", spec, "--devices", "cuda:0", "--dry-run", "--output", (test::temp_dir("bench_cli") / "r").string()},
                     &text);
  EXPECT_EQ(rc, 1) << text;
  EXPECT_NE(text.find("CUDA is not available"), std::string::npos) << text;
}

}  // namespace
