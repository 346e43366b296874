// `egsde table` and `egsde check` through the binary, on a fake output root of the small spec:
// metrics.json files written by hand (one run without), translated images copied from the
// sources. The table shows mean ± std, the paper deltas and the missing run; check passes on
// unchanged results and fails with a table when a value moves beyond its tolerance.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "common/test_util.h"
#include "core/json_io.h"
#include "runner/expand.h"
#include "runner/spec.h"

using namespace egsde;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string spec_path() { return test::fixture("specs/small.json").string(); }

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs of small.json (in expansion order): 0,1 egsde ls=0; 2,3 egsde ls=500; 4,5 sdedit.
// FID of run i = 50 + i (so egsde ls=500: 52, 53 → mean 52.5, std sqrt(0.5) = 0.71);
// run 5 (sdedit, repeat 1) has no metrics.json.
fs::path fake_runs(const fs::path& root) {
  const auto runs = runner::expand(runner::read_spec(spec_path())).runs;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const fs::path dir = root / runs[i].id;
    fs::create_directories(dir / "images");
    write_json_file(dir / "run.json", {{"id", runs[i].id},
                                       {"method", runner::to_string(runs[i].method)},
                                       {"grid", runs[i].grid_point},
                                       {"sessions", {{{"devices", {"cuda:0"}}}}}});
    for (const char* name : {"a.png", "b.png"}) fs::copy_file(test::fixture("specs/images") / name, dir / "images" / name);
    if (i == 5) continue;
    write_json_file(dir / "metrics.json", {{"run_id", runs[i].id}, {"fid", 50.0 + static_cast<double>(i)},
                                           {"l2", 40.0}, {"mse", 0.01}, {"psnr", 19.0}, {"ssim", 0.4},
                                           {"protocol", "clean"}, {"images", 3}, {"provenance", {{"commit", "x"}}}});
  }
  return root;
}

}  // namespace

TEST(TableCli, WritesTablesPlotAndSamples) {
  const fs::path dir = test::temp_dir("table_cli");
  fake_runs(dir / "runs");
  write_json_file(dir / "ref.json", {{"custom", {{"methods", {{"egsde", {{"fid", {{"mean", 50.0}, {"std", 1.0}}}}}}}}}});
  std::string text;
  const std::vector<std::string> args = {"table", spec_path(), "--runs", (dir / "runs").string(), "--output",
                                         (dir / "res").string(), "--reference", (dir / "ref.json").string(),
                                         "--samples", "2", "--cell", "32"};
  ASSERT_EQ(test::run_cli(args, &text), 0) << text;
  EXPECT_NE(text.find("1 of 6 runs have no metrics.json"), std::string::npos) << text;
  for (const char* f : {"table.md", "table.csv", "table.tex", "tradeoff.svg", "samples.png"})
    EXPECT_TRUE(fs::is_regular_file(dir / "res" / f)) << f;

  const std::string md = slurp(dir / "res" / "table.md");
  // egsde ls=500 is the spec's own setting: paper 50 ± 1 beside it, Δ = 52.5 − 50 = +2.50.
  EXPECT_NE(md.find("| EGSDE | args.ls=500 (spec) | 2/2 | 52.50 \u00b1 0.71<br><sub>paper 50.00 \u00b1 1.00, \u0394 +2.50</sub> |"),
            std::string::npos) << md;
  EXPECT_NE(md.find("| EGSDE | args.ls=0 | 2/2 | 50.50 \u00b1 0.71 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| SDEdit | args.ls=0 (spec) | 1/2 | 54.00 (1 missing) |"), std::string::npos) << md;
  EXPECT_NE(md.find("- devices: `cuda:0`"), std::string::npos) << md;
  EXPECT_NE(md.find("- protocol: `clean`"), std::string::npos) << md;
  EXPECT_NE(md.find("- spec file: `" + spec_path() + "`"), std::string::npos) << md;
  EXPECT_NE(md.find("- command: `"), std::string::npos) << md;
  const std::string svg = slurp(dir / "res" / "tradeoff.svg");
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find("EGSDE args.ls=500"), std::string::npos);

  // Nothing overwritten without --overwrite.
  ASSERT_EQ(test::run_cli(args, &text), 1) << text;
  EXPECT_EQ(text.rfind("egsde: error: ", 0), 0u) << text;
  EXPECT_NE(text.find("--overwrite"), std::string::npos) << text;

  // check: a baseline from this table passes; moving one FID by +5 fails with a table.
  const std::string base = (dir / "baselines" / "small.json").string();
  const std::string csv = (dir / "res" / "table.csv").string();
  ASSERT_EQ(test::run_cli({"check", csv, "--baseline", base, "--write-baseline"}, &text), 0) << text;
  ASSERT_EQ(test::run_cli({"check", csv, "--baseline", base, "--write-baseline"}, &text), 1) << text;  // exists
  ASSERT_EQ(test::run_cli({"check", csv, "--baseline", base}, &text), 0) << text;
  EXPECT_NE(text.find("OK"), std::string::npos) << text;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;

  const auto runs = runner::expand(runner::read_spec(spec_path())).runs;
  json m = read_json_file(dir / "runs" / runs[2].id / "metrics.json");
  m["fid"] = m["fid"].get<double>() + 5;  // egsde ls=500 mean 52.5 → 55.0
  write_json_file(dir / "runs" / runs[2].id / "metrics.json", m);
  // A runs directory is aggregated the same way as the table.
  ASSERT_EQ(test::run_cli({"check", (dir / "runs").string(), "--baseline", base}, &text), 1) << text;
  EXPECT_NE(text.find("1 of "), std::string::npos) << text;
  EXPECT_NE(text.find("args.ls=500"), std::string::npos) << text;
  EXPECT_NE(text.find("52.5"), std::string::npos) << text;
  EXPECT_NE(text.find("55"), std::string::npos) << text;
  ASSERT_EQ(test::run_cli({"check", (dir / "runs").string(), "--baseline", base, "--tol", "fid=3"}, &text), 0) << text;
  fs::remove_all(dir);
}

TEST(TableCli, MissingRunsDirectoryIsOneLine) {
  std::string text;
  const fs::path dir = test::temp_dir("table_missing");
  ASSERT_EQ(test::run_cli({"table", spec_path(), "--runs", (dir / "nope").string(), "--output", (dir / "r").string()}, &text), 1);
  EXPECT_EQ(text.rfind("egsde: error: runs directory", 0), 0u) << text;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
  fs::remove_all(dir);
}
