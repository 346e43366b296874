// report/run_records + runs_from_spec: the table's rows are what each run's record says it ran
// (label, method, grid, repeat, default flag, devices), not the spec as it is now; the spec says
// only which runs to expect. Records are written here by hand in the format of
// runner/execute.cpp's run_record (+ "specs"), each field set to a value the current expansion
// does not give where the test checks that the record wins.
#include <gtest/gtest.h>

#include "common/test_util.h"
#include "core/error.h"
#include "core/json_io.h"
#include "report/aggregate.h"
#include "report/run_records.h"
#include "runner/expand.h"
#include "runner/spec.h"

using namespace egsde;
using namespace egsde::report;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// small.json expands to (in order): 0,1 egsde args.ls=0; 2,3 egsde args.ls=500 (the spec's own
// ls); 4,5 sdedit args.ls=0 (sdedit fixes ls = 0: its ls=500 point collapses into it).
struct Small {
  runner::Spec spec = runner::read_spec(test::fixture("specs/small.json"));
  std::vector<runner::Run> runs = runner::expand(spec).runs;
};

// The record `egsde run small.json` writes for run i, as its spec saw it.
json record(const runner::Run& run, bool is_default) {
  const json view = {{"spec_file", "small.json"}, {"label", run.label}, {"grid", run.grid_point}, {"default", is_default}};
  return {{"id", run.id}, {"label", run.label}, {"spec", "small"}, {"method", runner::to_string(run.method)},
          {"repeat", run.repeat}, {"grid", run.grid_point}, {"default", is_default},
          {"config", {{"profile", run.profile}}}, {"sessions", {{{"devices", {"cuda:1"}}}}},
          {"specs", {{"small", view}}}};
}

void write(const fs::path& root, const std::string& id, const json& rec) {
  fs::create_directories(root / id);
  write_json_file(root / id / "run.json", rec);
}

bool has_note(const SpecRuns& s, const std::string& part) {
  for (const auto& n : s.notes)
    if (n.find(part) != std::string::npos) return true;
  return false;
}

std::string all_notes(const SpecRuns& s) {
  std::string out;
  for (const auto& n : s.notes) out += n + "\n";
  return out;
}

}  // namespace

TEST(ReportRunRecords, RowsComeFromTheRecordsAsTheyRan) {
  const Small s;
  ASSERT_EQ(s.runs.size(), 6u);
  const fs::path root = test::temp_dir("records_view");
  const bool expected_default[] = {false, false, true, true, true, true};
  for (std::size_t i = 0; i < 6; ++i) write(root, s.runs[i].id, record(s.runs[i], expected_default[i]));
  {  // records that agree with the spec: no note, the expansion's values
    const SpecRuns got = runs_from_spec(s.spec, root);
    EXPECT_TRUE(got.notes.empty()) << all_notes(got);
    EXPECT_TRUE(got.strays.empty());
    for (std::size_t i = 0; i < 6; ++i) EXPECT_EQ(got.runs[i].is_default, expected_default[i]) << i;
    EXPECT_EQ(got.runs[0].devices, std::set<std::string>{"cuda:1"});
  }
  // Run 2 ran under another label with ls=0 as the spec's setting (the spec was edited since):
  // its record says label "egsde args.ls=500.0 seed=1234", default false, and run 0 default true.
  json r2 = record(s.runs[2], false);
  r2["specs"]["small"]["label"] = "egsde args.ls=500.0 seed=1234";
  write(root, s.runs[2].id, r2);
  write(root, s.runs[0].id, record(s.runs[0], true));
  // Run 4 was rewritten last by another spec sharing it: its top level is that spec's view; the
  // table of small still shows small's own view from "specs".
  json r4 = record(s.runs[4], true);
  r4["spec"] = "other";
  r4["label"] = "sdedit args.li=0 seed=1234";
  r4["grid"] = {{"args.li", 0}};
  r4["default"] = false;
  r4["specs"]["other"] = {{"label", "sdedit args.li=0 seed=1234"}, {"grid", {{"args.li", 0}}}, {"default", false}};
  write(root, s.runs[4].id, r4);

  const SpecRuns got = runs_from_spec(s.spec, root);
  EXPECT_EQ(got.runs[2].label, "egsde args.ls=500.0 seed=1234");
  EXPECT_FALSE(got.runs[2].is_default);
  EXPECT_TRUE(got.runs[0].is_default);
  EXPECT_EQ(grid_text(got.runs[2].grid), "args.ls=500");
  EXPECT_EQ(got.runs[4].label, s.runs[4].label);
  EXPECT_TRUE(got.runs[4].is_default);
  EXPECT_EQ(grid_text(got.runs[4].grid), "args.ls=0");
  ASSERT_EQ(got.notes.size(), 1u) << all_notes(got);
  EXPECT_TRUE(has_note(got, "2 runs ran otherwise than spec small now expands them")) << all_notes(got);
  EXPECT_TRUE(has_note(got, s.runs[2].id + ": label 'egsde args.ls=500.0 seed=1234' (now 'egsde args.ls=500 seed=1234'), "
                                           "not the spec's own setting (now it is)")) << all_notes(got);
  EXPECT_TRUE(has_note(got, s.runs[0].id + ": the spec's own setting (now not)")) << all_notes(got);
  EXPECT_TRUE(has_note(got, "--resume")) << all_notes(got);
  // The aggregate follows: the (spec) mark is on egsde ls=0, as it ran.
  const Aggregate agg = aggregate(got.runs);
  ASSERT_EQ(agg.groups.size(), 3u);
  EXPECT_EQ(grid_text(agg.groups[0].grid), "args.ls=0");
  EXPECT_TRUE(agg.groups[0].is_default);  // run 0 ran as the spec's setting: it marks its group
  fs::remove_all(root);
}

TEST(ReportRunRecords, OlderRecordsFallBackToTheSpecWithANote) {
  // A record of egsde before "default"/"specs" (run 2), a run with only metrics.json (run 5), and
  // one run by another spec only (run 3): what they lack comes from the current expansion, named.
  const Small s;
  const fs::path root = test::temp_dir("records_old");
  json old = record(s.runs[2], true);
  old.erase("default");
  old.erase("specs");
  write(root, s.runs[2].id, old);
  fs::create_directories(root / s.runs[5].id);
  write_json_file(root / s.runs[5].id / "metrics.json", {{"run_id", s.runs[5].id}, {"fid", 1.0}});
  json other = record(s.runs[3], false);
  other["spec"] = "demo_sweep";
  other["specs"] = {{"demo_sweep", {{"label", "egsde args.li=2 seed=1235"}, {"grid", {{"args.li", 2}}}, {"default", false}}}};
  write(root, s.runs[3].id, other);

  const SpecRuns got = runs_from_spec(s.spec, root);
  EXPECT_TRUE(got.runs[2].found);
  EXPECT_TRUE(got.runs[2].is_default);  // egsde ls=500 is small's own ls
  EXPECT_TRUE(got.runs[5].found);
  EXPECT_TRUE(got.runs[3].is_default);
  EXPECT_EQ(got.runs[3].label, s.runs[3].label);
  EXPECT_EQ(grid_text(got.runs[3].grid), "args.ls=500");
  EXPECT_FALSE(got.runs[0].found);
  EXPECT_TRUE(has_note(got, "2 runs lack fields in their records (written by an older egsde): " + s.runs[2].id +
                                " (default); " + s.runs[5].id + " (no run.json, only metrics.json)")) << all_notes(got);
  EXPECT_TRUE(has_note(got, "1 run was not run by spec small but by another spec that expands to the same config: " + s.runs[3].id +
                                " (by spec demo_sweep)")) << all_notes(got);
  fs::remove_all(root);
}

TEST(ReportRunRecords, StraysAndForeignRecords) {
  const Small s;
  const fs::path root = test::temp_dir("records_stray");
  write(root, s.runs[0].id, record(s.runs[0], false));
  // A folder small ran that it no longer expands to (e.g. a grid value removed since).
  json stray = record(s.runs[0], false);
  stray["id"] = "0123456789ab";
  stray["specs"]["small"]["label"] = "egsde args.ls=100 seed=1234";
  write(root, "0123456789ab", stray);
  // Another spec's run in the same root: not this table's business.
  json foreign = record(s.runs[0], false);
  foreign["id"] = "ba9876543210";
  foreign["spec"] = "other";
  foreign["specs"] = {{"other", foreign["specs"]["small"]}};
  write(root, "ba9876543210", foreign);
  SpecRuns got = runs_from_spec(s.spec, root);
  ASSERT_EQ(got.strays, std::vector<std::string>{"0123456789ab (egsde args.ls=100 seed=1234)"});
  EXPECT_TRUE(has_note(got, "1 run folder under " + root.string() + " was run by spec small but it no longer expands to them"))
      << all_notes(got);

  // A record copied into another run's folder is an error naming both ids, not a silent mix-up.
  write(root, s.runs[1].id, record(s.runs[0], false));
  const std::string msg = test::error_of([&] { runs_from_spec(s.spec, root); });
  EXPECT_NE(msg.find("is the record of run " + s.runs[0].id + ", not " + s.runs[1].id), std::string::npos) << msg;
  // A field of the wrong type: the file and the field.
  json bad = record(s.runs[1], false);
  bad["repeat"] = "one";
  write(root, s.runs[1].id, bad);
  const std::string bad_msg = test::error_of([&] { runs_from_spec(s.spec, root); });
  EXPECT_NE(bad_msg.find((root / s.runs[1].id / "run.json").string() + ": 'repeat' is \"one\""), std::string::npos) << bad_msg;
  fs::remove_all(root);
}

TEST(ReportRunRecords, RunsDirectoryUsesTheRecordedDefault) {
  // `egsde check RUNS_DIR` has no spec: the record's own default flag (egsde ls=500 of small is the
  // spec's setting although it has a grid point; before "default" was recorded, only a run
  // without a grid counted as the spec's setting).
  const Small s;
  const fs::path root = test::temp_dir("records_dir");
  write(root, s.runs[2].id, record(s.runs[2], true));
  json old = record(s.runs[0], false);
  old.erase("default");
  write(root, s.runs[0].id, old);
  const auto runs = runs_from_dir(root);
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].id, s.runs[0].id);  // sorted by method, grid: ls=0 first
  EXPECT_FALSE(runs[0].is_default);
  EXPECT_TRUE(runs[1].is_default);
  EXPECT_EQ(grid_text(runs[1].grid), "args.ls=500");
  fs::remove_all(root);
}
