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
  EXPECT_NE(out.str().find("1 of 2 cells differ from baseline base (1 moved beyond tolerance)"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("62.6"), std::string::npos) << out.str();

  moved[4].mean = NAN;  // ssim disappeared: that is a failure too
  r = check(base, moved, {{"fid", 1.0}});
  ASSERT_EQ(r.moved.size(), 1u);
  EXPECT_FALSE(r.moved[0].now.has_value());
  moved.push_back({"sdedit", "", "fid", 70, 2});  // new cells are reported, not failures
  EXPECT_EQ(check(base, moved, {{"fid", 1.0}, {"ssim", 1.0}}).added, 1u);
  fs::remove_all(dir);
}

namespace {

// A baseline of one cell: egsde (no grid) FID 62 over n = 2 repeats, tolerance 0.5.
Baseline fid_baseline() {
  Baseline b;
  b.name = "b";
  b.tolerances = {{"fid", 0.5}};
  b.rows = {{"egsde", "", "fid", 62, 2}};
  return b;
}

fs::path write_text(const fs::path& file, const std::string& text) {
  write_file_atomic(file, text);
  return file;
}

}  // namespace

TEST(ReportCheck, AnotherNumberOfRepeatsFails) {
  // Same mean, n 2 → 1 (a lost repeat) or 2 → 3 (an extra one): the cell is not the baseline's.
  const Baseline b = fid_baseline();
  EXPECT_TRUE(check(b, {{"egsde", "", "fid", 62, 2}}, {}).ok());
  CheckResult fewer = check(b, {{"egsde", "", "fid", 62, 1}}, {});
  ASSERT_EQ(fewer.moved.size(), 1u);
  EXPECT_DOUBLE_EQ(*fewer.moved[0].now, 62);
  EXPECT_FALSE(check(b, {{"egsde", "", "fid", 62, 3}}, {}).ok());
  std::ostringstream out;
  print_check(fewer, "b", out);
  EXPECT_NE(out.str().find("2\u21921"), std::string::npos) << out.str();  // n 2→1 in the table
  EXPECT_NE(out.str().find("another n"), std::string::npos) << out.str();
}

TEST(ReportCheck, MissingCellFailsAndEmptyBaselineIsRefused) {
  // The baseline's cell is absent from the results (its runs were removed): a failure, with
  // the new cells not counted as compared.
  const CheckResult r = check(fid_baseline(), {{"sdedit", "", "fid", 70, 2}}, {});
  EXPECT_FALSE(r.ok());
  ASSERT_EQ(r.moved.size(), 1u);
  EXPECT_FALSE(r.moved[0].now.has_value());
  // Nothing to compare is never "OK".
  Baseline empty;
  empty.name = "e";
  EXPECT_FALSE(check(empty, {{"egsde", "", "fid", 62, 2}}, {}).ok());
  const fs::path dir = test::temp_dir("check_empty");
  const fs::path file = write_text(dir / "empty.json", "{\"name\": \"empty\", \"rows\": []}\n");
  const std::string msg = test::error_of([&] { read_baseline(file); });
  EXPECT_NE(msg.find("has no cells"), std::string::npos) << msg;
  EXPECT_NE(msg.find(file.string()), std::string::npos) << msg;
  EXPECT_NE(msg.find("--write-baseline --overwrite"), std::string::npos) << msg;
  fs::remove_all(dir);
}

TEST(ReportCheck, BaselineErrorsNameTheRowAndTheProblem) {
  const fs::path dir = test::temp_dir("check_rows");
  // Row 2 has no "mean": the message says so, not 'no "rows" array'.
  const fs::path no_mean = write_text(dir / "no_mean.json",
      R"({"rows": [{"method": "egsde", "grid": "", "metric": "fid", "mean": 1, "n": 2},
                  {"method": "egsde", "grid": "", "metric": "ssim", "n": 2}]})");
  std::string msg = test::error_of([&] { read_baseline(no_mean); });
  EXPECT_NE(msg.find("row 2"), std::string::npos) << msg;
  EXPECT_NE(msg.find("\"mean\""), std::string::npos) << msg;
  EXPECT_EQ(msg.find("\"rows\" array"), std::string::npos) << msg;
  // "rows" that is an object, not an array.
  msg = test::error_of([&] { read_baseline(write_text(dir / "obj.json", R"({"rows": {"method": "egsde"}})")); });
  EXPECT_NE(msg.find("\"rows\" is not an array"), std::string::npos) << msg;
  // A truncated baseline: truncated, where, and how to regenerate it; no yml hint.
  msg = test::error_of([&] { read_baseline(write_text(dir / "cut.json", "{\n  \"rows\": [\n    {\"method\": \"eg")); });
  EXPECT_NE(msg.find("truncated"), std::string::npos) << msg;
  EXPECT_NE(msg.find("line 3"), std::string::npos) << msg;
  EXPECT_NE(msg.find("cut.json"), std::string::npos) << msg;
  EXPECT_NE(msg.find("--write-baseline"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("yml"), std::string::npos) << msg;
  fs::remove_all(dir);
}

TEST(ReportCheck, UnknownToleranceNameIsRefused) {
  // --tol fdi=1 on a baseline of fid and ssim: refused, suggesting fid (edit distance 2; ssim 4).
  Baseline b = fid_baseline();
  b.rows.push_back({"egsde", "", "ssim", 0.4, 2});
  const std::vector<ResultRow> rows = b.rows;
  std::string msg = test::error_of([&] { check(b, rows, {{"fdi", 1.0}}); });
  EXPECT_NE(msg.find("'fdi'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("did you mean 'fid'"), std::string::npos) << msg;
  EXPECT_TRUE(check(b, rows, {{"ssim", 1.0}}).ok());
  // Writing a baseline: the names must be metrics of the results.
  const fs::path dir = test::temp_dir("check_tol");
  msg = test::error_of([&] { write_baseline(dir / "b.json", rows, {{"sssim", 0.1}}, "x", false); });
  EXPECT_NE(msg.find("did you mean 'ssim'"), std::string::npos) << msg;
  EXPECT_FALSE(fs::exists(dir / "b.json"));
  fs::remove_all(dir);
}
