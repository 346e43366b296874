// `egsde merge` through the binary: two shard roots of the small spec (laid out as
// `egsde run --shard i/2` writes them) merge into their union, with one run.json per run; an
// item present twice with the same content is fine, with different content an error naming it.
// `egsde table` then works on the merged root.
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "common/test_util.h"
#include "core/json_io.h"
#include "core/output_lock.h"
#include "runner/expand.h"
#include "runner/records.h"
#include "runner/spec.h"
#include "runner/work_queue.h"

using namespace egsde;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string spec_path() { return test::fixture("specs/small.json").string(); }
const std::vector<std::string> kImages = {"a.png", "b.png", "c.png"};

void put_item(const fs::path& root, const std::string& run_id, const std::string& image, const fs::path& content,
              double seconds) {
  fs::create_directories(root / run_id / "items");
  fs::create_directories(root / run_id / "images");
  fs::copy_file(content, root / run_id / "images" / image, fs::copy_options::overwrite_existing);
  write_json_file(root / run_id / "items" / (image + ".json"),
                  {{"id", run_id + "/" + image}, {"run", run_id}, {"image", image}, {"seconds", seconds}, {"device", "cpu"}});
}

// OUT/shard-i as `egsde run --shard i/2` leaves it: each item in its shard, a shard record per run.
void fake_shards(const fs::path& dir) {
  const auto runs = runner::expand(runner::read_spec(spec_path())).runs;
  for (int s = 0; s < 2; ++s) {
    const fs::path root = dir / ("shard-" + std::to_string(s));
    for (const auto& run : runs) {
      std::size_t n = 0;
      for (const auto& image : kImages)
        if (runner::in_shard(run.id + "/" + image, {s, 2})) {
          put_item(root, run.id, image, test::fixture("specs/images") / image, 0.1 + s);
          ++n;
        }
      fs::create_directories(root / run.id);
      write_json_file(root / run.id / runner::RecordStore::run_record_name(s, 2),
                      {{"id", run.id}, {"method", runner::to_string(run.method)}, {"grid", run.grid_point},
                       {"config", run.config}, {"shard", std::to_string(s) + "/2"}, {"items", n}, {"items_done", n},
                       {"status", "complete"}, {"sessions", {{{"devices", {"cuda:" + std::to_string(s)}}}}}});
    }
  }
}

}  // namespace

TEST(MergeCli, UnionOfShardsThenTable) {
  const fs::path dir = test::temp_dir("merge_cli");
  fake_shards(dir);
  const auto runs = runner::expand(runner::read_spec(spec_path())).runs;
  // An identical duplicate (same image, only the timing differs) is not a conflict.
  const std::string& r0 = runs[0].id;
  const std::string dup = fs::exists(dir / "shard-0" / r0 / "items" / "a.png.json") ? "shard-1" : "shard-0";
  put_item(dir / dup, r0, "a.png", test::fixture("specs/images/a.png"), 9.0);

  std::string text;
  ASSERT_EQ(test::run_cli({"merge", (dir / "shard-0").string(), (dir / "shard-1").string(), "--output",
                           (dir / "merged").string()}, &text), 0) << text;
  EXPECT_NE(text.find("6 runs (6 complete), 18 items (1 identical duplicates)"), std::string::npos) << text;
  for (const auto& run : runs) {
    const fs::path out = dir / "merged" / run.id;
    for (const auto& image : kImages) {
      EXPECT_TRUE(fs::is_regular_file(out / "items" / (image + ".json"))) << run.id << "/" << image;
      EXPECT_TRUE(fs::is_regular_file(out / "images" / image)) << run.id << "/" << image;
    }
    const json rec = read_json_file(out / "run.json");
    EXPECT_EQ(rec["status"], "complete");
    EXPECT_EQ(rec["items"], 3);
    EXPECT_EQ(rec["sessions"].size(), 2u);
    EXPECT_EQ(rec["merged_from"].size(), 2u);
    EXPECT_FALSE(fs::exists(out / "run.shard-0-of-2.json"));
  }
  // Not into a non-empty output without --overwrite.
  ASSERT_EQ(test::run_cli({"merge", (dir / "shard-0").string(), "--output", (dir / "merged").string()}, &text), 1) << text;
  EXPECT_NE(text.find("--overwrite"), std::string::npos) << text;

  // The merged root is an ordinary output root for `egsde table`.
  for (const auto& run : runs) write_json_file(dir / "merged" / run.id / "metrics.json", {{"run_id", run.id}, {"fid", 1.0}});
  ASSERT_EQ(test::run_cli({"table", spec_path(), "--runs", (dir / "merged").string(), "--output", (dir / "res").string(),
                           "--samples", "1"}, &text), 0) << text;
  std::ifstream md(dir / "res" / "table.md");
  const std::string table((std::istreambuf_iterator<char>(md)), std::istreambuf_iterator<char>());
  EXPECT_NE(table.find("| EGSDE | args.ls=500 (spec) | 2/2 | 1.00 \u00b1 0.00"), std::string::npos) << table;
  EXPECT_NE(table.find("cuda:0, cuda:1"), std::string::npos) << table;
  fs::remove_all(dir);
}

TEST(MergeCli, ConflictingDuplicateIsAnError) {
  const fs::path dir = test::temp_dir("merge_conflict");
  fake_shards(dir);
  const auto runs = runner::expand(runner::read_spec(spec_path())).runs;
  const std::string& r0 = runs[0].id;
  const std::string dup = fs::exists(dir / "shard-0" / r0 / "items" / "a.png.json") ? "shard-1" : "shard-0";
  put_item(dir / dup, r0, "a.png", test::fixture("specs/images/b.png"), 0.1);  // other pixels
  std::string text;
  ASSERT_EQ(test::run_cli({"merge", (dir / "shard-0").string(), (dir / "shard-1").string(), "--output",
                           (dir / "merged").string()}, &text), 1) << text;
  EXPECT_EQ(text.rfind("egsde: error: item " + r0 + "/a.png is in ", 0), 0u) << text;
  EXPECT_NE(text.find("different images"), std::string::npos) << text;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
  fs::remove_all(dir);
}

// The shards' weights.json (runner/weights_record.h): copied when they agree, an error naming both
// files when the shards were translated with different weights.
TEST(MergeCli, ShardsWeightsRecordsMustAgree) {
  const fs::path dir = test::temp_dir("merge_weights");
  fake_shards(dir);
  const std::string r0 = runner::expand(runner::read_spec(spec_path())).runs[0].id;
  const json w = {{"ckpt", {{"path", "score.pt"}, {"digest", "0123456789abcdef"}}}};
  for (const char* s : {"shard-0", "shard-1"}) write_json_file(dir / s / r0 / "weights.json", w);
  std::string text;
  ASSERT_EQ(test::run_cli({"merge", (dir / "shard-0").string(), (dir / "shard-1").string(), "--output",
                           (dir / "merged").string()}, &text), 0) << text;
  EXPECT_EQ(read_json_file(dir / "merged" / r0 / "weights.json"), w);
  json other = w;
  other["ckpt"]["digest"] = "fedcba9876543210";
  write_json_file(dir / "shard-1" / r0 / "weights.json", other);
  ASSERT_EQ(test::run_cli({"merge", (dir / "shard-0").string(), (dir / "shard-1").string(), "--output",
                           (dir / "merged2").string()}, &text), 1) << text;
  EXPECT_EQ(text.rfind("egsde: error: run " + r0 + ": ", 0), 0u) << text;
  EXPECT_NE(text.find("record different weights"), std::string::npos) << text;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
  fs::remove_all(dir);
}

// Issue 19: a merge that fails (conflicting shards) leaves --output as it was: absent when it did
// not exist (it was left non-empty, so the rerun needed --overwrite), unchanged with --overwrite.
// A merge into an output another process holds is refused with one line.
TEST(MergeCli, FailedMergeLeavesTheOutputAsItWas) {
  const fs::path dir = test::temp_dir("merge_atomic");
  fake_shards(dir);
  const auto runs = runner::expand(runner::read_spec(spec_path())).runs;
  const std::string& r0 = runs[0].id;
  const std::string dup = fs::exists(dir / "shard-0" / r0 / "items" / "a.png.json") ? "shard-1" : "shard-0";
  put_item(dir / dup, r0, "a.png", test::fixture("specs/images/b.png"), 0.1);  // a conflict
  const std::vector<std::string> merge = {"merge", (dir / "shard-0").string(), (dir / "shard-1").string(), "--output"};
  const auto args = [&](const fs::path& out, bool overwrite) {
    auto a = merge;
    a.push_back(out.string());
    if (overwrite) a.push_back("--overwrite");
    return a;
  };
  std::string text;
  ASSERT_EQ(test::run_cli(args(dir / "merged", false), &text), 1) << text;
  EXPECT_FALSE(fs::exists(dir / "merged")) << "a failed merge left its output behind";

  fs::create_directories(dir / "old");
  std::ofstream(dir / "old" / "keep.txt") << "earlier merge";
  ASSERT_EQ(test::run_cli(args(dir / "old", true), &text), 1) << text;
  std::size_t entries = 0;
  for (const auto& e : fs::directory_iterator(dir / "old")) entries += e.path().filename() == ".egsde.lock" ? 0 : 1;
  EXPECT_EQ(entries, 1u);
  EXPECT_TRUE(fs::exists(dir / "old" / "keep.txt"));
  for (const auto& e : fs::directory_iterator(dir))  // no temp folder left next to it
    EXPECT_EQ(e.path().filename().string().find(".merge-"), std::string::npos) << e.path();

  // Without the conflict, --overwrite replaces the old output by the merge.
  fs::remove_all(dir / dup / r0 / "items" / "a.png.json");
  fs::remove_all(dir / dup / r0 / "images" / "a.png");
  ASSERT_EQ(test::run_cli(args(dir / "old", true), &text), 0) << text;
  EXPECT_FALSE(fs::exists(dir / "old" / "keep.txt"));
  EXPECT_TRUE(fs::exists(dir / "old" / "merge.json"));

  const OutputLock lock = OutputLock::acquire(dir / "held", "test");
  ASSERT_EQ(test::run_cli(args(dir / "held", false), &text), 1) << text;
  EXPECT_EQ(text.rfind("egsde: error: another egsde process is writing", 0), 0u) << text;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
  fs::remove_all(dir);
}
