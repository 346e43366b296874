// report/check: tolerances, the table.csv round trip, baseline files, and the verdict: a cell
// that moves beyond its tolerance (or disappears) fails, one within it passes.
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "common/test_util.h"
#include "core/atomic_write.h"
#include "core/error.h"
#include "core/json_io.h"
#include "report/check.h"
#include "report/table_writers.h"

using namespace egsde;
using namespace egsde::report;
namespace fs = std::filesystem;

TEST(ReportCheck, ParseTolerances) {
  const auto t = parse_tolerances("fid=0.5,ssim=0.002");
  EXPECT_DOUBLE_EQ(t.at("fid"), 0.5);
  EXPECT_DOUBLE_EQ(t.at("ssim"), 0.002);
  EXPECT_TRUE(parse_tolerances("").empty());
  EXPECT_THROW(parse_tolerances("fid"), Error);
  EXPECT_THROW(parse_tolerances("fid=abc"), Error);
  EXPECT_THROW(parse_tolerances("fid=-1"), Error);
}

TEST(ReportCheck, CsvRoundTripAndVerdict) {
  // Group egsde args.ls=500: FID 61, 63 → mean 62; SSIM 0.41 (n = 1).
  RunResult a, b;
  a.id = "a";
  b.id = "b";
  b.repeat = 1;
  a.grid = b.grid = {{"args.ls", 500}};
  a.has_metrics = b.has_metrics = true;
  a.metrics = {{"fid", 61}, {"ssim", 0.41}};
  b.metrics = {{"fid", 63}};
  Table t;
  t.title = "t";
  t.agg = aggregate({a, b});
  t.provenance = {{"commit", "x"}};
  const fs::path dir = test::temp_dir("report_check");
  write_file_atomic(dir / "table.csv", render_csv(t));
  const auto rows = read_table_csv(dir / "table.csv");
  ASSERT_EQ(rows.size(), 5u);  // fid l2 mse psnr ssim
  EXPECT_EQ(rows[0].method, "egsde");
  EXPECT_EQ(rows[0].grid, "args.ls=500");
  EXPECT_EQ(rows[0].metric, "fid");
  EXPECT_DOUBLE_EQ(rows[0].mean, 62);
  EXPECT_EQ(rows[0].n, 2u);
  EXPECT_TRUE(std::isnan(rows[1].mean));  // l2: no value
  EXPECT_EQ(load_results(dir).size(), 5u);  // a directory holding table.csv

  write_baseline(dir / "base.json", rows, {{"fid", 0.5}}, "table.csv", false);
  EXPECT_THROW(write_baseline(dir / "base.json", rows, {}, "table.csv", false), Error);  // no silent overwrite
  const Baseline base = read_baseline(dir / "base.json");
  EXPECT_EQ(base.rows.size(), 2u);  // only cells with a value: fid, ssim
  EXPECT_DOUBLE_EQ(base.tolerances.at("fid"), 0.5);
  EXPECT_DOUBLE_EQ(base.tolerances.at("ssim"), default_tolerances().at("ssim"));

  auto moved = rows;
  EXPECT_TRUE(check(base, moved, {}).ok());
  moved[0].mean = 62.4;  // |Δ| 0.4 ≤ 0.5
  EXPECT_TRUE(check(base, moved, {}).ok());
  moved[0].mean = 62.6;  // |Δ| 0.6 > 0.5
  CheckResult r = check(base, moved, {});
  ASSERT_EQ(r.moved.size(), 1u);
  EXPECT_EQ(r.moved[0].old.metric, "fid");
  EXPECT_DOUBLE_EQ(*r.moved[0].now, 62.6);
  EXPECT_TRUE(check(base, moved, {{"fid", 1.0}}).ok());  // --tol overrides the baseline's
  std::ostringstream out;
  print_check(r, "base", out);
  EXPECT_NE(out.str().find("1 of 2 cells moved"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("62.6"), std::string::npos) << out.str();

  moved[4].mean = NAN;  // ssim disappeared: that is a failure too
  r = check(base, moved, {{"fid", 1.0}});
  ASSERT_EQ(r.moved.size(), 1u);
  EXPECT_FALSE(r.moved[0].now.has_value());
  moved.push_back({"sdedit", "", "fid", 70, 2});  // new cells are reported, not failures
  EXPECT_EQ(check(base, moved, {{"fid", 1.0}, {"ssim", 1.0}}).added, 1u);
  fs::remove_all(dir);
}
