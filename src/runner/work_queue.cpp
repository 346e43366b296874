#include "runner/work_queue.h"

#include <c10/util/Exception.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <thread>

#include "core/digest.h"
#include "core/error.h"
#include "runner/expand.h"

namespace egsde::runner {
using nlohmann::json;

Shard parse_shard(const std::string& text) {
  const std::size_t slash = text.find('/');
  Shard s;
  try {
    if (slash == std::string::npos) throw std::invalid_argument("no slash");
    std::size_t used = 0;
    s.index = std::stoi(text.substr(0, slash), &used);
    if (used != slash) throw std::invalid_argument("index");
    const std::string count = text.substr(slash + 1);
    s.count = std::stoi(count, &used);
    if (used != count.size()) throw std::invalid_argument("count");
  } catch (const std::exception&) {
    throw Error("--shard '" + text + "' is not i/n; e.g. --shard 0/4 (shards are numbered 0..n-1)");
  }
  if (s.count < 1 || s.index < 0 || s.index >= s.count)
    throw Error("--shard '" + text + "': need n >= 1 and 0 <= i < n (shards are numbered 0..n-1)");
  return s;
}

bool in_shard(const std::string& item_id, const Shard& shard) {
  return shard.count <= 1 || fnv1a64(item_id) % static_cast<uint64_t>(shard.count) == static_cast<uint64_t>(shard.index);
}

std::vector<std::string> parse_devices(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = text.find(',', start);
    const std::string d = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    bool ok = d == "cpu";
    if (!ok && d.rfind("cuda:", 0) == 0 && d.size() > 5) ok = d.find_first_not_of("0123456789", 5) == std::string::npos;
    if (!ok) throw Error("--devices: '" + d + "' is not a device; use cpu or cuda:0,cuda:1,...");
    for (const auto& seen : out)
      if (seen == d) throw Error("--devices: '" + d + "' is listed twice; use --workers for several workers per device");
    out.push_back(d);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

std::vector<Worker> make_workers(const std::vector<std::string>& devices, int workers) {
  if (devices.empty()) throw Error("no devices given; use --devices cpu or cuda:0,...");
  if (workers < 0) throw Error("--workers must be >= 0 (0 = one per device)");
  const int n = workers == 0 ? static_cast<int>(devices.size()) : workers;
  std::vector<Worker> out;
  for (int i = 0; i < n; ++i) out.push_back({i, devices[static_cast<std::size_t>(i) % devices.size()]});
  return out;
}

namespace {

std::string describe(std::exception_ptr e) {
  try {
    std::rethrow_exception(e);
  } catch (const c10::Error& err) {
    const std::string msg = err.what_without_backtrace();
    return msg.substr(0, msg.find('\n'));
  } catch (const std::exception& err) {
    return err.what();
  } catch (...) {
    return "unknown exception";
  }
}

}  // namespace

QueueResult run_queue(const std::vector<WorkItem>& items, const WorkerFactory& factory, const QueueOptions& options,
                      const RecordStore& store) {
  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  const auto since = [&] { return std::chrono::duration<double>(clock::now() - t0).count(); };
  if (options.workers.empty()) throw Error("the work queue needs at least one worker");

  QueueResult result;
  result.progress.total = items.size();
  // Batches of consecutive unfinished items of one run.
  std::vector<std::vector<WorkItem>> batches;
  for (const auto& item : items) {
    const ItemState state = store.check(item);
    if (state == ItemState::Done) {
      ++result.progress.skipped;
      continue;
    }
    if (state != ItemState::NotDone) ++result.redone[to_string(state)];
    if (batches.empty() || batches.back().front().run_id != item.run_id ||
        batches.back().size() >= std::max<std::size_t>(1, batches.back().front().batch_size)) {
      batches.emplace_back();
    }
    batches.back().push_back(item);
  }

  std::atomic<std::size_t> next{0};
  std::atomic<bool> stop{false};
  std::mutex mu;  // guards result and the progress callback

  const auto fail = [&](const std::vector<WorkItem>& batch, const std::string& message, double start, double end) {
    for (const auto& item : batch) {
      try {
        store.mark_failed(item, message);
      } catch (const std::exception&) {
        // the failure itself is reported below; an unwritable failure record changes nothing
      }
    }
    std::lock_guard<std::mutex> lock(mu);
    for (const auto& item : batch) {
      result.failures.push_back({item.id, message});
      auto& rt = result.runs[item.run_id];
      ++rt.failed;
      if (rt.first_start < 0 || start < rt.first_start) rt.first_start = start;
      rt.last_end = std::max(rt.last_end, end);
    }
    result.progress.failed += batch.size();
    if (!options.keep_going) stop = true;
  };

  const auto work = [&](const Worker& worker) {
    BatchFn fn;
    try {
      fn = factory(worker);
    } catch (...) {
      const std::string message = "worker " + std::to_string(worker.index) + " (" + worker.device +
                                  ") could not start: " + describe(std::current_exception());
      std::lock_guard<std::mutex> lock(mu);
      result.failures.push_back({"", message});
      stop = true;
      return;
    }
    // Runs one batch and records it. A failed batch of several items is retried one item at a
    // time, so that each failure is recorded for the item that caused it (a corrupt source fails
    // only itself, not the good images batched with it).
    std::function<void(const std::vector<WorkItem>&)> process = [&](const std::vector<WorkItem>& batch) {
      const double start = since();
      std::vector<json> records;
      try {
        records = fn(batch, worker);
        if (!records.empty() && records.size() != batch.size())
          throw Error("the batch function returned " + std::to_string(records.size()) + " records for " +
                      std::to_string(batch.size()) + " items");
      } catch (...) {
        if (batch.size() == 1) {
          fail(batch, describe(std::current_exception()), start, since());
          return;
        }
        for (const auto& item : batch) {
          if (stop) break;
          process({item});
        }
        return;
      }
      const double end = since();
      const double per_item = (end - start) / static_cast<double>(batch.size());
      try {
        for (std::size_t i = 0; i < batch.size(); ++i) {
          json rec = records.empty() ? json::object() : records[i];
          if (!rec.is_object()) rec = json{{"result", rec}};
          rec["worker"] = worker.index;
          rec["device"] = worker.device;
          rec["seconds"] = per_item;
          rec["batch_size"] = batch.size();
          rec["finished"] = utc_now();
          store.mark_done(batch[i], rec);
        }
      } catch (...) {
        fail(batch, "recording the result failed: " + describe(std::current_exception()), start, since());
        stop = true;  // an unwritable record store fails every later item too
        return;
      }
      std::lock_guard<std::mutex> lock(mu);
      result.progress.done += batch.size();
      auto& rt = result.runs[batch.front().run_id];
      rt.done += batch.size();
      rt.busy_seconds += end - start;
      if (rt.first_start < 0 || start < rt.first_start) rt.first_start = start;
      rt.last_end = std::max(rt.last_end, end);
      if (options.progress) {
        result.progress.seconds = since();
        options.progress(result.progress);
      }
    };
    while (!stop) {
      const std::size_t b = next++;
      if (b >= batches.size()) break;
      process(batches[b]);
    }
  };

  std::vector<std::thread> threads;
  for (const auto& worker : options.workers) threads.emplace_back(work, worker);
  for (auto& t : threads) t.join();
  result.progress.seconds = since();
  result.stopped = stop && next < batches.size();
  return result;
}

QueueResult run_queue(const std::vector<WorkItem>& items, const ItemFn& fn, const QueueOptions& options,
                      const RecordStore& store) {
  const WorkerFactory factory = [&fn](const Worker&) -> BatchFn {
    return [&fn](const std::vector<WorkItem>& batch, const Worker& worker) {
      for (const auto& item : batch) fn(item, worker.index);
      return std::vector<json>{};
    };
  };
  return run_queue(items, factory, options, store);
}

}  // namespace egsde::runner
