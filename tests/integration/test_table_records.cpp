// `egsde table` after the spec was edited: the rows show what ran (each run's record written by
// a real `egsde run`), with a note naming the runs the spec now describes otherwise, and the
// regression check against a baseline of the unedited table still passes. Before the table read
// the records, it re-expanded the edited spec: the (spec) mark moved to another row and a removed
// grid dropped the grid column. The FIDs are written by hand (10 for ls=0, 20 for ls=500) so the
// expected cells are known; the translation itself is tests/integration/test_run_translate.cpp's.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "common/test_util.h"
#include "core/json_io.h"

using namespace egsde;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// egsde over args.ls ∈ {0, 500} (the profile's own ls is 500), one repeat, one image, 3 steps.
json spec_json() {
  json profile = read_json_file(test::fixture("translate/profile.json"));
  profile["args"]["testdata_path"] = test::fixture("translate/source").string();
  profile["args"]["ckpt"] = test::fixture("translate/eps.pt").string();
  profile["args"]["dsepath"] = test::fixture("translate/dse.pt").string();
  return {{"name", "edited"}, {"profile", profile},      {"methods", {"egsde"}}, {"grid", {{"args.ls", {0, 500}}}},
          {"repeats", 1},     {"max_images", 1},       {"respace", 100}};
}

std::string table(const fs::path& spec, const fs::path& runs, const fs::path& out, std::string* md) {
  std::string text;
  const int rc = test::run_cli({"table", spec.string(), "--runs", runs.string(), "--output", out.string(), "--samples", "0",
                                "--no-reference", "--overwrite"},
                               &text);
  EXPECT_EQ(rc, 0) << text;
  *md = slurp(out / "table.md");
  return text;
}

}  // namespace

TEST(TableRecords, EditedSpecStillShowsWhatRan) {
  ::setenv("OMP_NUM_THREADS", "1", 1);
  const fs::path dir = test::temp_dir("table_records");
  const fs::path spec = dir / "edited.json", runs = dir / "runs";
  write_json_file(spec, spec_json());
  std::string text, md;
  ASSERT_EQ(test::run_cli({"run", spec.string(), "--output", runs.string(), "--quiet"}, &text), 0) << text;
  std::string id0, id500;
  for (const auto& e : fs::directory_iterator(runs)) {
    if (!fs::exists(e.path() / "run.json")) continue;
    const json rec = read_json_file(e.path() / "run.json");
    const bool zero = rec.at("grid").at("args.ls") == 0;
    (zero ? id0 : id500) = rec.at("id").get<std::string>();
    EXPECT_EQ(rec.at("default"), !zero) << "the spec's own ls is 500";
    EXPECT_EQ(rec.at("specs").at("edited").at("label"), rec.at("label"));
    write_json_file(e.path() / "metrics.json", {{"run_id", rec.at("id")}, {"fid", zero ? 10.0 : 20.0}});
  }
  ASSERT_FALSE(id0.empty());
  ASSERT_FALSE(id500.empty());

  // As run: ls=500 is the spec's setting; no note about the records.
  text = table(spec, runs, dir / "t0", &md);
  EXPECT_NE(md.find("| EGSDE | args.ls=500 (spec) | 1/1 | 20.00 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| EGSDE | args.ls=0 | 1/1 | 10.00 |"), std::string::npos) << md;
  EXPECT_EQ(text.find("note:"), std::string::npos) << text;
  const std::string base = (dir / "base.json").string();
  ASSERT_EQ(test::run_cli({"check", (dir / "t0").string(), "--baseline", base, "--write-baseline"}, &text), 0) << text;

  // Edit 1: the profile's own ls becomes 0 and the grid values are written as 0.0, 500.0. The
  // runs are the same (same ids: the grid sets ls either way), but the spec now labels them
  // "args.ls=0.0" and would make ls=0 its own setting.
  json edited = spec_json();
  edited["profile"]["args"]["ls"] = 0.0;
  edited["grid"] = {{"args.ls", {0.0, 500.0}}};
  write_json_file(spec, edited);
  text = table(spec, runs, dir / "t1", &md);
  EXPECT_NE(md.find("| EGSDE | args.ls=500 (spec) | 1/1 | 20.00 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| EGSDE | args.ls=0 | 1/1 | 10.00 |"), std::string::npos) << md;
  EXPECT_NE(text.find("note: 2 runs ran otherwise than spec edited now expands them"), std::string::npos) << text;
  EXPECT_NE(text.find(id0 + ": label 'egsde args.ls=0 seed=1234' (now 'egsde args.ls=0.0 seed=1234'), "
                            "not the spec's own setting (now it is)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(id500 + ": label 'egsde args.ls=500 seed=1234' (now 'egsde args.ls=500.0 seed=1234'), "
                              "the spec's own setting (now not)"),
            std::string::npos)
      << text;
  // The committed-baseline check is unaffected by the edit.
  ASSERT_EQ(test::run_cli({"check", (dir / "t1").string(), "--baseline", base}, &text), 0) << text;
  EXPECT_NE(text.find("OK"), std::string::npos) << text;

  // Edit 2: no grid, ls 500: the spec now expands to the ls=500 run alone (same id), without a
  // grid point. Its row still shows the grid it ran with; the ls=0 folder is named, not shown.
  json no_grid = spec_json();
  no_grid.erase("grid");
  write_json_file(spec, no_grid);
  text = table(spec, runs, dir / "t2", &md);
  EXPECT_NE(md.find("| EGSDE | args.ls=500 (spec) | 1/1 | 20.00 |"), std::string::npos) << md;
  EXPECT_EQ(md.find("10.00"), std::string::npos) << md;
  EXPECT_NE(text.find(id500 + ": label 'egsde args.ls=500 seed=1234' (now 'egsde seed=1234')"), std::string::npos) << text;
  EXPECT_NE(text.find("1 run folder under " + runs.string() + " was run by spec edited but it no longer expands to them"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(id0 + " (egsde args.ls=0 seed=1234)"), std::string::npos) << text;

  // Adopting edit 1 as the note says: --resume recomputes nothing and records the spec's new
  // view, so the (spec) mark moves to ls=0 and the note is gone.
  write_json_file(spec, edited);
  ASSERT_EQ(test::run_cli({"run", spec.string(), "--output", runs.string(), "--resume", "--quiet"}, &text), 0) << text;
  EXPECT_NE(text.find("0 items done, 2 already finished"), std::string::npos) << text;
  text = table(spec, runs, dir / "t3", &md);
  EXPECT_NE(md.find("| EGSDE | args.ls=0 (spec) | 1/1 | 10.00 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| EGSDE | args.ls=500 | 1/1 | 20.00 |"), std::string::npos) << md;
  EXPECT_EQ(text.find("note:"), std::string::npos) << text;
  fs::remove_all(dir);
}
