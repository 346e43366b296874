// The work queue and its records: every item done exactly once with 1 and 4 workers; batches
// stay within a run; a failure midway (fail-fast or keep-going) followed by --resume ends with
// the same set and no duplicates; a real kill -9 of a worker process at a random moment, then a
// resume, loses and duplicates nothing; shards partition the items.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "common/test_util.h"
#include "core/atomic_write.h"
#include "core/error.h"
#include "core/json_io.h"
#include "runner/execute.h"
#include "runner/plan.h"
#include "runner/records.h"
#include "runner/work_queue.h"

using namespace egsde;
using namespace egsde::runner;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// `runs` runs of `images` images each, under `root`.
std::vector<WorkItem> make_items(const fs::path& root, int runs, int images, std::size_t batch = 1) {
  std::vector<WorkItem> items;
  for (int r = 0; r < runs; ++r) {
    const std::string run_id = "run" + std::to_string(r);
    fs::create_directories(root / run_id / "items");
    fs::create_directories(root / run_id / "failed");
    fs::create_directories(root / run_id / "images");
    for (int i = 0; i < images; ++i) {
      WorkItem it;
      it.run_index = static_cast<std::size_t>(r);
      it.run_id = run_id;
      it.image_index = static_cast<std::size_t>(i);
      it.image = "img" + std::to_string(1000 + i) + ".png";
      it.id = run_id + "/" + it.image;
      it.batch_size = batch;
      it.output_dir = root / run_id / "images";
      items.push_back(it);
    }
  }
  return items;
}

// Counts calls per item and writes each item's output atomically, as a translator does.
struct Counter {
  std::mutex mu;
  std::map<std::string, int> calls;
  void operator()(const WorkItem& item) {
    write_file_atomic(item.output_dir / item.image, "out:" + item.id);
    std::lock_guard<std::mutex> lock(mu);
    ++calls[item.id];
  }
};

QueueOptions with_workers(int n, bool keep_going = false) {
  QueueOptions o;
  o.workers = make_workers({"cpu"}, n);
  o.keep_going = keep_going;
  return o;
}

std::set<std::string> done_ids(const RecordStore& store, int runs) {
  std::set<std::string> ids;
  for (int r = 0; r < runs; ++r)
    for (const auto& rec : store.done_records("run" + std::to_string(r))) {
      EXPECT_TRUE(ids.insert(rec["id"].get<std::string>()).second) << "duplicate record " << rec;
    }
  return ids;
}

std::set<std::string> all_ids(const std::vector<WorkItem>& items) {
  std::set<std::string> ids;
  for (const auto& it : items) ids.insert(it.id);
  return ids;
}

}  // namespace

class QueueWorkers : public ::testing::TestWithParam<int> {};

TEST_P(QueueWorkers, EveryItemExactlyOnce) {
  const fs::path root = test::temp_dir("queue_once");
  const auto items = make_items(root, 3, 17);
  const RecordStore store(root);
  Counter counter;
  const QueueResult r = run_queue(items, [&](const WorkItem& it, int) { counter(it); }, with_workers(GetParam()), store);
  EXPECT_TRUE(r.failures.empty());
  EXPECT_EQ(r.progress.done, items.size());
  EXPECT_EQ(r.progress.skipped, 0u);
  EXPECT_EQ(counter.calls.size(), items.size());
  for (const auto& [id, n] : counter.calls) EXPECT_EQ(n, 1) << id;
  EXPECT_EQ(done_ids(store, 3), all_ids(items));
  for (const auto& it : items) EXPECT_TRUE(fs::exists(it.output_dir / it.image));
  // A second pass finds everything finished and calls nothing.
  Counter again;
  const QueueResult r2 = run_queue(items, [&](const WorkItem& it, int) { again(it); }, with_workers(GetParam()), store);
  EXPECT_EQ(r2.progress.skipped, items.size());
  EXPECT_TRUE(again.calls.empty());
  fs::remove_all(root);
}

INSTANTIATE_TEST_SUITE_P(Workers, QueueWorkers, ::testing::Values(1, 4));

TEST(WorkQueue, BatchesStayWithinARunAndRecordPerItem) {
  const fs::path root = test::temp_dir("queue_batch");
  const auto items = make_items(root, 2, 7, 3);
  const RecordStore store(root);
  std::mutex mu;
  std::vector<std::vector<std::string>> batches;
  const WorkerFactory factory = [&](const Worker&) -> BatchFn {
    return [&](const std::vector<WorkItem>& batch, const Worker& w) {
      std::vector<json> records;
      std::vector<std::string> ids;
      for (const auto& it : batch) {
        records.push_back({{"seed", 7}, {"on", w.device}});
        ids.push_back(it.id);
      }
      std::lock_guard<std::mutex> lock(mu);
      batches.push_back(ids);
      return records;
    };
  };
  const QueueResult r = run_queue(items, factory, with_workers(2), store);
  EXPECT_TRUE(r.failures.empty());
  EXPECT_EQ(batches.size(), 6u);  // 7 = 3 + 3 + 1 per run
  for (const auto& b : batches) {
    EXPECT_LE(b.size(), 3u);
    for (const auto& id : b) EXPECT_EQ(id.substr(0, 4), b.front().substr(0, 4));
  }
  const auto recs = store.done_records("run1");
  ASSERT_EQ(recs.size(), 7u);
  EXPECT_EQ(recs[0]["seed"], 7);
  EXPECT_EQ(recs[0]["device"], "cpu");
  EXPECT_EQ(recs[0]["image"], "img1000.png");
  EXPECT_TRUE(recs[0].contains("seconds"));
  EXPECT_EQ(r.runs.at("run1").done, 7u);
  fs::remove_all(root);
}

TEST(WorkQueue, FailFastThenResume) {
  const fs::path root = test::temp_dir("queue_failfast");
  const auto items = make_items(root, 2, 20);
  const RecordStore store(root);
  Counter first;
  // Item 13 of run0 writes half its output, then the worker throws: a half-done item.
  const auto crashing = [&](const WorkItem& it, int) {
    if (it.id == "run0/img1013.png") {
      std::ofstream(it.output_dir / it.image) << "half";
      throw std::runtime_error("simulated crash");
    }
    first(it);
  };
  const QueueResult r = run_queue(items, crashing, with_workers(4), store);
  ASSERT_EQ(r.failures.size(), 1u);
  EXPECT_EQ(r.failures[0].item_id, "run0/img1013.png");
  EXPECT_EQ(r.failures[0].message, "simulated crash");
  EXPECT_LT(r.progress.done, items.size());
  EXPECT_EQ(store.failed_records("run0").size(), 1u);

  Counter second;
  const QueueResult r2 = run_queue(items, [&](const WorkItem& it, int) { second(it); }, with_workers(4), store);
  EXPECT_TRUE(r2.failures.empty());
  EXPECT_EQ(r2.progress.skipped + r2.progress.done, items.size());
  // Nothing finished before is redone; the half-done item is redone; together: all, once.
  for (const auto& [id, n] : second.calls) EXPECT_EQ(first.calls.count(id), 0u) << id;
  EXPECT_EQ(second.calls.count("run0/img1013.png"), 1u);
  EXPECT_EQ(first.calls.size() + second.calls.size(), items.size());
  EXPECT_EQ(done_ids(store, 2), all_ids(items));
  std::ifstream in(items[13].output_dir / items[13].image);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(content, "out:run0/img1013.png");
  EXPECT_TRUE(store.failed_records("run0").empty()) << "a finished item clears its failure record";
  fs::remove_all(root);
}

TEST(WorkQueue, KeepGoingCollectsFailures) {
  const fs::path root = test::temp_dir("queue_keepgoing");
  const auto items = make_items(root, 2, 10);
  const RecordStore store(root);
  Counter ok;
  const std::set<std::string> bad = {"run0/img1003.png", "run1/img1007.png"};
  const auto flaky = [&](const WorkItem& it, int) {
    if (bad.count(it.id)) throw Error("corrupt image " + it.image);
    ok(it);
  };
  const QueueResult r = run_queue(items, flaky, with_workers(2, true), store);
  EXPECT_FALSE(r.stopped);
  EXPECT_EQ(r.failures.size(), 2u);
  EXPECT_EQ(r.progress.done, items.size() - 2);
  EXPECT_EQ(store.failed_records("run1").at(0)["error"], "corrupt image img1007.png");
  Counter retry;
  run_queue(items, [&](const WorkItem& it, int) { retry(it); }, with_workers(2), store);
  EXPECT_EQ(retry.calls.size(), 2u);
  for (const auto& id : bad) EXPECT_EQ(retry.calls.count(id), 1u);
  EXPECT_EQ(done_ids(store, 2), all_ids(items));
  fs::remove_all(root);
}

TEST(WorkQueue, FailingWorkerStartStopsTheQueue) {
  const fs::path root = test::temp_dir("queue_start");
  const auto items = make_items(root, 1, 4);
  const RecordStore store(root);
  const WorkerFactory factory = [](const Worker& w) -> BatchFn { throw Error("no such device " + w.device); };
  const QueueResult r = run_queue(items, factory, with_workers(1), store);
  ASSERT_EQ(r.failures.size(), 1u);
  EXPECT_NE(r.failures[0].message.find("no such device cpu"), std::string::npos);
  EXPECT_EQ(r.progress.done, 0u);
  fs::remove_all(root);
}

// A real kill -9: a child process runs the queue (2 workers, slow items); the parent kills it
// once some items are finished, then resumes. Items finished before the kill are not redone;
// every item ends finished exactly once, with its complete output.
TEST(WorkQueue, KillNineThenResume) {
  const fs::path root = test::temp_dir("queue_kill");
  const auto items = make_items(root, 2, 40);
  const fs::path log = root / "calls.log";
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const RecordStore store(root);
    const auto slow = [&](const WorkItem& it, int) {
      std::this_thread::sleep_for(std::chrono::milliseconds(15));
      write_file_atomic(it.output_dir / it.image, "out:" + it.id);
    };
    run_queue(items, slow, with_workers(2), store);
    ::_exit(0);
  }
  // Wait for at least 10 finished items, then kill at once.
  const RecordStore store(root);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  std::size_t finished = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    finished = store.done_records("run0").size();
    if (finished >= 10) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the child finished before it could be killed";
  ASSERT_GE(finished, 10u);

  std::set<std::string> before;
  for (int r = 0; r < 2; ++r)
    for (const auto& rec : store.done_records("run" + std::to_string(r))) before.insert(rec["id"].get<std::string>());
  ASSERT_LT(before.size(), items.size());
  for (const auto& it : items)  // every marker has a complete output
    if (before.count(it.id)) {
      std::ifstream in(it.output_dir / it.image);
      std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      EXPECT_EQ(content, "out:" + it.id);
    }

  Counter resumed;
  const QueueResult r = run_queue(items, [&](const WorkItem& it, int) { resumed(it); }, with_workers(2), store);
  EXPECT_TRUE(r.failures.empty());
  EXPECT_EQ(r.progress.skipped, before.size());
  for (const auto& [id, n] : resumed.calls) {
    EXPECT_EQ(before.count(id), 0u) << "redone: " << id;
    EXPECT_EQ(n, 1);
  }
  EXPECT_EQ(before.size() + resumed.calls.size(), items.size());
  EXPECT_EQ(done_ids(store, 2), all_ids(items));
  fs::remove_all(root);
}

TEST(Shards, PartitionItemsDisjointly) {
  const fs::path root = test::temp_dir("queue_shard");
  const auto items = make_items(root, 3, 50);
  for (int n : {1, 2, 3, 7}) {
    std::set<std::string> seen;
    for (int i = 0; i < n; ++i) {
      std::size_t count = 0;
      for (const auto& it : items)
        if (in_shard(it.id, {i, n})) {
          EXPECT_TRUE(seen.insert(it.id).second) << it.id << " in two shards of " << n;
          ++count;
        }
      EXPECT_GT(count, items.size() / static_cast<std::size_t>(n) / 2) << "shard " << i << "/" << n << " is lopsided";
    }
    EXPECT_EQ(seen, all_ids(items)) << n << " shards";
  }
  fs::remove_all(root);
}

// execute(): plans from the fixture spec, refuses to mix with earlier results without
// --resume, and keeps one run record per run with one session per attempt.
TEST(Execute, RecordsAndResumeGuard) {
  const fs::path out = test::temp_dir("execute");
  PlanOptions po;
  po.output = out;
  const Plan plan = make_plan(read_spec(test::fixture("specs/small.json")), po);
  ASSERT_EQ(plan.runs.size(), 6u);
  ASSERT_EQ(plan_items(plan).size(), 18u);
  Counter counter;
  const WorkerFactory factory = [&](const Worker&) -> BatchFn {
    return [&](const std::vector<WorkItem>& batch, const Worker&) {
      for (const auto& it : batch) counter(it);
      return std::vector<json>{};
    };
  };
  ExecuteOptions eo;
  eo.workers = make_workers({"cpu"}, 2);
  const ExecuteResult r = execute(plan, factory, eo);
  EXPECT_EQ(r.runs_complete, 6u);
  EXPECT_EQ(counter.calls.size(), 18u);
  const json rec = read_json_file(out / plan.runs[0].run.id / "run.json");
  EXPECT_EQ(rec["id"], plan.runs[0].run.id);
  EXPECT_EQ(rec["status"], "complete");
  EXPECT_EQ(rec["items_done"], 3);
  EXPECT_EQ(rec["config"], plan.runs[0].run.config);
  EXPECT_TRUE(rec["sessions"][0]["provenance"].contains("commit"));
  EXPECT_TRUE(fs::exists(out / "plan.small.json"));

  EXPECT_THROW(execute(plan, factory, eo), Error);  // finished items and no --resume
  eo.resume = true;
  const ExecuteResult r2 = execute(plan, factory, eo);
  EXPECT_EQ(r2.queue.progress.skipped, 18u);
  EXPECT_EQ(read_json_file(out / plan.runs[0].run.id / "run.json")["sessions"].size(), 2u);
  EXPECT_EQ(counter.calls.size(), 18u);
  fs::remove_all(out);
}

TEST(Execute, FailFastThrowsOneLine) {
  const fs::path out = test::temp_dir("execute_fail");
  PlanOptions po;
  po.output = out;
  const Plan plan = make_plan(read_spec(test::fixture("specs/small.json")), po);
  const WorkerFactory factory = [&](const Worker&) -> BatchFn {
    return [&](const std::vector<WorkItem>& batch, const Worker&) -> std::vector<json> {
      if (batch.front().image == "b.png" || batch.back().image == "b.png") throw Error("bad image b.png");
      return {};
    };
  };
  ExecuteOptions eo;
  try {
    execute(plan, factory, eo);
    ADD_FAILURE();
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("bad image b.png"), std::string::npos) << msg;
    EXPECT_NE(msg.find("--resume"), std::string::npos) << msg;
  }
  fs::remove_all(out);
}

// --resume trusts a marker only while its image is the file it recorded (issue 19): a deleted,
// a truncated and a same-size but changed image are redone (and counted by reason); a marker
// written by older egsde (no image_bytes/image_digest) is trusted while its image exists.
TEST(WorkQueue, ResumeRedoesItemsWhoseImageNoLongerMatchesItsRecord) {
  const fs::path root = test::temp_dir("queue_verify");
  const auto items = make_items(root, 1, 6);
  const RecordStore store(root);
  Counter first;
  run_queue(items, [&](const WorkItem& it, int) { first(it); }, with_workers(1), store);
  const auto image = [&](int i) { return items[static_cast<std::size_t>(i)].output_dir / items[static_cast<std::size_t>(i)].image; };
  const json rec = read_json_file(root / "run0" / "items" / "img1000.png.json");
  EXPECT_EQ(rec["image_bytes"], std::string("out:run0/img1000.png").size());
  EXPECT_EQ(rec["image_digest"].get<std::string>().size(), 16u);

  fs::remove(image(1));                                   // missing
  write_file_atomic(image(2), "out:");                    // truncated
  write_file_atomic(image(3), "out:run0/img1003.pnX");    // same size, other bytes
  json old = read_json_file(root / "run0" / "items" / "img1004.png.json");
  old.erase("image_bytes");
  old.erase("image_digest");
  write_json_file(root / "run0" / "items" / "img1004.png.json", old);  // an older egsde's record
  write_file_atomic(image(4), "whatever older egsde wrote");

  Counter second;
  const QueueResult r = run_queue(items, [&](const WorkItem& it, int) { second(it); }, with_workers(1), store);
  EXPECT_EQ(r.progress.skipped, 3u);
  EXPECT_EQ(r.progress.done, 3u);
  EXPECT_EQ(second.calls.size(), 3u);
  for (const char* id : {"run0/img1001.png", "run0/img1002.png", "run0/img1003.png"})
    EXPECT_EQ(second.calls.count(id), 1u) << id;
  EXPECT_EQ(r.redone, (std::map<std::string, std::size_t>{{"image missing", 1}, {"image truncated", 1}, {"image changed", 1}}));
  // The older record without its image is redone too (trusted by existence only).
  fs::remove(image(4));
  EXPECT_EQ(store.check(items[4]), ItemState::ImageMissing);
  fs::remove_all(root);
}

// A batch whose decode fails for one corrupt image (the sampler loads the whole batch first)
// records the failure for that image only; the good images of the batch are finished (issue 19).
TEST(WorkQueue, KeepGoingAttributesABatchFailureToItsItem) {
  const fs::path root = test::temp_dir("queue_attribute");
  const auto items = make_items(root, 1, 6, 3);
  const RecordStore store(root);
  const std::string bad = "img1001.png";
  const WorkerFactory factory = [&](const Worker&) -> BatchFn {
    return [&](const std::vector<WorkItem>& batch, const Worker&) {
      for (const auto& it : batch)
        if (it.image == bad) throw Error("cannot decode " + it.image);
      for (const auto& it : batch) write_file_atomic(it.output_dir / it.image, "out:" + it.id);
      return std::vector<json>{};
    };
  };
  const QueueResult r = run_queue(items, factory, with_workers(1, /*keep_going=*/true), store);
  ASSERT_EQ(r.failures.size(), 1u);
  EXPECT_EQ(r.failures[0].item_id, "run0/" + bad);
  EXPECT_EQ(r.failures[0].message, "cannot decode " + bad);
  EXPECT_EQ(r.progress.done, 5u);
  const auto failed = store.failed_records("run0");
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0]["image"], bad);
  EXPECT_EQ(store.done_records("run0").size(), 5u);
  fs::remove_all(root);
}
