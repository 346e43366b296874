// report/aggregate + table_writers: mean ± sample std over repeats (checked against numbers
// computed by hand), grouping by (method, effective grid point), missing values counted, and
// the paper's values and deltas beside the spec's own setting.
#include <gtest/gtest.h>

#include <cmath>

#include "common/test_util.h"
#include "core/atomic_write.h"
#include "core/error.h"
#include "core/json_io.h"
#include "report/aggregate.h"
#include "report/table_writers.h"
#include "runner/expand.h"
#include "runner/spec.h"

using namespace egsde;
using namespace egsde::report;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

RunResult run(const std::string& id, runner::Method m, int64_t repeat, std::map<std::string, double> metrics,
              bool is_default = true) {
  RunResult r;
  r.id = id;
  r.method = m;
  r.repeat = repeat;
  r.is_default = is_default;
  r.has_metrics = !metrics.empty();
  r.metrics = std::move(metrics);
  return r;
}

}  // namespace

TEST(ReportAggregate, MeanAndSampleStd) {
  // {1, 2, 3, 4}: mean 2.5; squared deviations 2.25 + 0.25 + 0.25 + 2.25 = 5; /(n − 1) = 5/3;
  // std = sqrt(5/3) = 1.2909944...
  const Stat s = summarize({1, 2, 3, 4}, 5);
  EXPECT_EQ(s.n, 4u);
  EXPECT_EQ(s.missing, 1u);
  EXPECT_DOUBLE_EQ(s.mean, 2.5);
  EXPECT_NEAR(s.std, 1.2909944487358056, 1e-12);
  const Stat one = summarize({7}, 1);  // one value: a mean, no std
  EXPECT_DOUBLE_EQ(one.mean, 7);
  EXPECT_TRUE(std::isnan(one.std));
  const Stat none = summarize({}, 3);
  EXPECT_EQ(none.missing, 3u);
  EXPECT_TRUE(std::isnan(none.mean));
  EXPECT_EQ(format_stat(s, 2), "2.50 \u00b1 1.29");
  EXPECT_EQ(format_stat(one, 2), "7.00");
  EXPECT_EQ(format_stat(none, 2), "\u2014");
}

TEST(ReportAggregate, GroupsCellsMissingAndPaperDeltas) {
  // EGSDE: FID 60, 62, 64 → mean 62, deviations −2, 0, 2 → (4 + 0 + 4)/2 = 4 → std 2.
  //        SSIM 0.40, 0.42 (the third run lacks it) → mean 0.41, std sqrt(2·0.01²/1) = 0.014142.
  // SDEdit: one run with metrics, one without → FID 70 (n = 1, 1 missing).
  std::vector<RunResult> runs = {
      run("e0", runner::Method::Egsde, 0, {{"fid", 60}, {"ssim", 0.40}, {"kid", 0.01}}),
      run("e1", runner::Method::Egsde, 1, {{"fid", 62}, {"ssim", 0.42}}),
      run("e2", runner::Method::Egsde, 2, {{"fid", 64}}),
      run("s0", runner::Method::Sdedit, 0, {{"fid", 70}}),
      run("s1", runner::Method::Sdedit, 1, {}),
  };
  Aggregate agg = aggregate(runs);
  ASSERT_EQ(agg.groups.size(), 2u);
  EXPECT_EQ(agg.runs, 5u);
  EXPECT_EQ(agg.runs_with_metrics, 4u);
  // core metrics first, extras after
  EXPECT_EQ(agg.metrics, (std::vector<std::string>{"fid", "l2", "mse", "psnr", "ssim", "kid"}));
  const Group& e = agg.groups[0];
  EXPECT_EQ(e.run_ids, (std::vector<std::string>{"e0", "e1", "e2"}));
  EXPECT_DOUBLE_EQ(e.stats.at("fid").mean, 62);
  EXPECT_DOUBLE_EQ(e.stats.at("fid").std, 2);
  EXPECT_NEAR(e.stats.at("ssim").mean, 0.41, 1e-12);
  EXPECT_NEAR(e.stats.at("ssim").std, 0.0141421356, 1e-9);
  EXPECT_EQ(e.stats.at("ssim").missing, 1u);
  EXPECT_EQ(e.stats.at("l2").n, 0u);
  EXPECT_EQ(e.stats.at("l2").missing, 3u);
  const Group& s = agg.groups[1];
  EXPECT_EQ(s.with_metrics, 1u);
  EXPECT_DOUBLE_EQ(s.stats.at("fid").mean, 70);
  EXPECT_EQ(s.stats.at("fid").missing, 1u);

  // Paper: EGSDE FID 65.82 ± 0.77 → Δ = 62 − 65.82 = −3.82; SDEdit FID 74.17 → Δ = −4.17.
  const fs::path dir = test::temp_dir("report_ref");
  write_json_file(dir / "reference.json",
                  {{"_source", "test"},
                   {"task1", {{"methods", {{"egsde", {{"fid", {{"mean", 65.82}, {"std", 0.77}}}}},
                                           {"sdedit", {{"fid", {{"mean", 74.17}, {"std", nullptr}}}}},
                                           {"ilvr", nullptr}}}}}});
  const PaperReference ref = PaperReference::read(dir / "reference.json");
  EXPECT_FALSE(ref.find("task1", runner::Method::Ilvr, "fid"));
  EXPECT_FALSE(ref.find("other", runner::Method::Egsde, "fid"));
  attach_reference(agg, ref, "task1");
  ASSERT_EQ(agg.groups[0].paper.count("fid"), 1u);

  Table t;
  t.title = "test";
  t.agg = agg;
  t.reference = "reference.json (task1)";
  t.provenance = {{"spec file", "x.json"}, {"commit", "abc"}};
  const std::string md = render_markdown(t);
  EXPECT_NE(md.find("| EGSDE | 3/3 | 62.00 \u00b1 2.00<br><sub>paper 65.82 \u00b1 0.77, \u0394 -3.82</sub> |"),
            std::string::npos) << md;
  EXPECT_NE(md.find("0.410 \u00b1 0.014 (1 missing)"), std::string::npos) << md;
  EXPECT_NE(md.find("| SDEdit | 1/2 | 70.00 (1 missing)<br><sub>paper 74.17, \u0394 -4.17</sub> |"), std::string::npos) << md;
  EXPECT_NE(md.find("\u2014 (3 missing)"), std::string::npos) << md;
  EXPECT_NE(md.find("sample std (ddof = 1)"), std::string::npos) << md;
  EXPECT_NE(md.find("1 of 5 runs have no metrics.json"), std::string::npos) << md;
  EXPECT_NE(md.find("- commit: `abc`"), std::string::npos) << md;

  const std::string csv = render_csv(t);
  EXPECT_NE(csv.find("\negsde,,fid,3,3,0,62,2,65.82,0.77,-3.82,1\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\nsdedit,,l2,0,2,2,,,,,,1\n"), std::string::npos) << csv;
  const std::string tex = render_tex(t);
  EXPECT_NE(tex.find("EGSDE & 3/3 & $62.00 \\pm 2.00$ {\\scriptsize (65.82; $\\Delta$ $-3.82$)}"), std::string::npos)
      << tex;
  EXPECT_NE(tex.find("% commit: abc"), std::string::npos) << tex;
  fs::remove_all(dir);
}

TEST(ReportAggregate, RunsFromSpecUseEffectiveGridAndDefaultPoint) {
  // small.json: egsde and sdedit over args.ls ∈ {0, 500}, 2 repeats; sdedit fixes ls = 0, so its
  // two grid points collapse into one group (ls=0). The profile's own ls is 500.
  const runner::Spec spec = runner::read_spec(test::fixture("specs/small.json"));
  const fs::path root = test::temp_dir("report_spec");
  const auto expanded = runner::expand(spec).runs;
  ASSERT_EQ(expanded.size(), 6u);
  for (const auto& r : expanded) fs::create_directories(root / r.id);
  // Bookkeeping numbers the evaluation writes (metrics/evaluate.cpp: n_images, n_sources; the
  // runner: images, seconds) are not metrics: no table column for them.
  write_json_file(root / expanded[0].id / "metrics.json", {{"run_id", expanded[0].id}, {"fid", 10.0}, {"images", 3},
                                                           {"n_images", 3}, {"n_sources", 3}, {"seconds", 1.5}});
  const auto runs = runs_from_spec(spec, root).runs;
  ASSERT_EQ(runs.size(), 6u);
  EXPECT_TRUE(runs[0].has_metrics);
  EXPECT_EQ(runs[0].metrics.size(), 1u);  // fid alone
  const Aggregate agg = aggregate(runs);
  ASSERT_EQ(agg.groups.size(), 3u);
  EXPECT_EQ(grid_text(agg.groups[0].grid), "args.ls=0");
  EXPECT_FALSE(agg.groups[0].is_default);
  EXPECT_EQ(grid_text(agg.groups[1].grid), "args.ls=500");
  EXPECT_TRUE(agg.groups[1].is_default);
  EXPECT_EQ(agg.groups[2].method, runner::Method::Sdedit);
  EXPECT_EQ(grid_text(agg.groups[2].grid), "args.ls=0");
  EXPECT_TRUE(agg.groups[2].is_default);
  EXPECT_DOUBLE_EQ(agg.groups[0].stats.at("fid").mean, 10.0);

  // A metrics.json naming another run is an error, not a silent mix-up.
  write_json_file(root / expanded[1].id / "metrics.json", {{"run_id", "ffffffffffff"}, {"fid", 1.0}});
  EXPECT_THROW(runs_from_spec(spec, root), Error);
  fs::remove_all(root);
}

TEST(ReportAggregate, MetricThatIsNotANumberIsNamed) {
  // {"fid": "abc"} is a damaged metrics.json, not a missing value: one error naming file and key.
  const runner::Spec spec = runner::read_spec(test::fixture("specs/small.json"));
  const fs::path root = test::temp_dir("report_badmetric");
  const auto expanded = runner::expand(spec).runs;
  const fs::path file = root / expanded[0].id / "metrics.json";
  fs::create_directories(file.parent_path());
  write_json_file(file, {{"run_id", expanded[0].id}, {"fid", "abc"}, {"label", "a string that is no metric"}});
  const std::string msg = test::error_of([&] { runs_from_spec(spec, root); });
  EXPECT_NE(msg.find(file.string()), std::string::npos) << msg;
  EXPECT_NE(msg.find("'fid'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("not a number"), std::string::npos) << msg;
  // A truncated one says so, where, and what to do; no yml hint (that is for profiles).
  write_file_atomic(file, "{\"run_id\": \"" + expanded[0].id + "\", \"fid\": 1");
  const std::string cut = test::error_of([&] { runs_from_spec(spec, root); });
  EXPECT_NE(cut.find("truncated"), std::string::npos) << cut;
  EXPECT_NE(cut.find(file.string()), std::string::npos) << cut;
  EXPECT_NE(cut.find("--resume"), std::string::npos) << cut;
  EXPECT_EQ(cut.find("yml"), std::string::npos) << cut;
  fs::remove_all(root);
}

TEST(ReportAggregate, ReferenceOfAnotherSchemaIsRefused) {
  const fs::path dir = test::temp_dir("report_badref");
  // A baseline (results/baselines/*.json) passed as --reference: no {task: {"methods": ...}}.
  write_json_file(dir / "baseline.json", {{"name", "smoke"}, {"rows", json::array()}});
  std::string msg = test::error_of([&] { PaperReference::read(dir / "baseline.json"); });
  EXPECT_NE(msg.find("not a paper reference"), std::string::npos) << msg;
  EXPECT_NE(msg.find("baseline.json"), std::string::npos) << msg;
  // A method name that is none: refused with the nearest.
  write_json_file(dir / "typo.json", {{"cat2dog", {{"methods", {{"egsdee", {{"fid", 1.0}}}}}}}});
  msg = test::error_of([&] { PaperReference::read(dir / "typo.json"); });
  EXPECT_NE(msg.find("egsdee"), std::string::npos) << msg;
  // A metric value that is neither a number, null nor {"mean", "std"}.
  write_json_file(dir / "value.json", {{"cat2dog", {{"methods", {{"egsde", {{"fid", "65.8"}}}}}}}});
  msg = test::error_of([&] { PaperReference::read(dir / "value.json"); });
  EXPECT_NE(msg.find("cat2dog.methods.egsde.fid"), std::string::npos) << msg;
  // The committed reference is valid.
  EXPECT_EQ(test::error_of([] { PaperReference::read(test::fixture("../../experiments/paper/reference.json")); }), "");
  fs::remove_all(dir);
}
