// One work queue over (run, image) items, executed by N worker threads. Items already finished
// (their marker exists) are skipped; the rest are grouped into batches of consecutive items of
// the same run (up to the item's batch_size) and handed to the workers in order. Each finished
// item is recorded atomically right after its batch returns. A batch that throws is retried one
// item at a time, so a failure is recorded for the item that caused it. Fail-fast by default: the
// first failure stops workers from taking new batches; keep_going records failures and goes on.
// An item whose marker no longer matches its image (RecordStore::check) is redone and counted in
// QueueResult::redone.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "runner/records.h"
#include "runner/work_item.h"

namespace egsde::runner {

// Executes one batch on a worker; returns one JSON record per item (merged into its marker:
// seed, timings, ...) or an empty vector. Throwing retries the batch's items one by one (a batch of
// one item that throws is marked failed with the message).
using BatchFn = std::function<std::vector<nlohmann::json>(const std::vector<WorkItem>& batch, const Worker& worker)>;
// Called once on each worker's thread before its first batch (load one model replica on
// worker.device here); a throw stops the queue.
using WorkerFactory = std::function<BatchFn(const Worker& worker)>;
// The simplest form: one item at a time, no per-item record.
using ItemFn = std::function<void(const WorkItem& item, int worker)>;

// `--shard i/n`: item belongs to shard fnv1a64(item.id) % n, so the partition depends only on
// item ids (not on order, worker count or which runs are selected). Shards are 0-based.
struct Shard {
  int index = 0;
  int count = 1;
};
Shard parse_shard(const std::string& text);  // "i/n", 0 <= i < n
bool in_shard(const std::string& item_id, const Shard& shard);

// `--devices cpu|cuda:0,cuda:1` and `--workers N` → workers assigned round-robin to devices
// (N = 0: one per device).
std::vector<std::string> parse_devices(const std::string& text);
std::vector<Worker> make_workers(const std::vector<std::string>& devices, int workers);

struct QueueProgress {
  std::size_t total = 0;    // items this queue was given
  std::size_t skipped = 0;  // already finished before it started
  std::size_t done = 0;     // finished by this queue
  std::size_t failed = 0;
  double seconds = 0;
};

struct QueueOptions {
  std::vector<Worker> workers{Worker{}};
  bool keep_going = false;
  std::function<void(const QueueProgress&)> progress;  // after every batch, serialised
};

struct Failure {
  std::string item_id;
  std::string message;
};

// Per-run accounting of this queue's session (for the run records).
struct RunTiming {
  std::size_t done = 0;
  std::size_t failed = 0;
  double busy_seconds = 0;   // summed batch times over workers
  double first_start = -1;   // seconds since the queue started
  double last_end = 0;
};

struct QueueResult {
  QueueProgress progress;
  bool stopped = false;            // fail-fast stopped it before every item was tried
  std::vector<Failure> failures;   // in the order they happened
  std::map<std::string, RunTiming> runs;
  std::map<std::string, std::size_t> redone;  // finished items redone, by reason (to_string(ItemState))
};

QueueResult run_queue(const std::vector<WorkItem>& items, const WorkerFactory& factory, const QueueOptions& options,
                      const RecordStore& store);
QueueResult run_queue(const std::vector<WorkItem>& items, const ItemFn& fn, const QueueOptions& options,
                      const RecordStore& store);

}  // namespace egsde::runner
