#include "runner/merge.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <optional>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <unistd.h>

#include "core/atomic_write.h"
#include "core/error.h"
#include "core/json_io.h"
#include "core/output_lock.h"
#include "core/provenance.h"
#include "runner/records.h"

namespace egsde::runner {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string read_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error("cannot read " + file.string() + "; check its permissions");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void copy_atomic(const fs::path& from, const fs::path& to) { write_file_atomic(to, read_bytes(from)); }

// A finished item's record without the fields that differ between two runs of the same item.
json stable_record(json r) {
  if (!r.is_object()) return r;
  for (const char* k : {"worker", "device", "seconds", "batch_size", "finished", "started", "time"}) r.erase(k);
  return r;
}

bool is_json_file(const fs::path& p) {
  const std::string name = p.filename().string();
  return !name.empty() && name[0] != '.' && p.extension() == ".json";  // dot files: temp files of atomic writes
}

std::vector<fs::path> sorted_entries(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  for (const auto& e : fs::directory_iterator(dir, ec)) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

bool is_run_record(const fs::path& p) {
  const std::string name = p.filename().string();
  return name == "run.json" || (name.rfind("run.shard-", 0) == 0 && p.extension() == ".json");
}

struct Item {
  fs::path run_dir;  // the input's run directory holding it
  json stable;
};

// Status of the merged records: complete when an unsharded or merged record is complete, or
// when shards 0..n-1 of one n are all present and complete.
bool merged_complete(const std::vector<json>& records) {
  std::map<int, std::set<int>> complete_shards;
  for (const auto& r : records) {
    if (r.value("status", std::string()) != "complete") continue;
    const std::string shard = r.value("shard", std::string("0/1"));
    if (shard == "0/1" || shard == "merged") return true;
    const std::size_t slash = shard.find('/');
    if (slash == std::string::npos) continue;
    try {
      complete_shards[std::stoi(shard.substr(slash + 1))].insert(std::stoi(shard.substr(0, slash)));
    } catch (const std::exception&) {
    }
  }
  for (const auto& [n, have] : complete_shards)
    if (static_cast<int>(have.size()) == n) return true;
  return false;
}

// Merges the inputs' runs into the empty folder `dest`.
MergeResult merge_into(const MergeOptions& o, const fs::path& dest) {
  std::error_code ec;
  // run id → the input run directories holding it, in input order.
  std::map<std::string, std::vector<fs::path>> runs;
  std::map<std::string, fs::path> top_files;
  for (const auto& in : o.inputs) {
    for (const auto& p : sorted_entries(in)) {
      if (fs::is_directory(p, ec)) {
        bool is_run = fs::is_directory(p / "items", ec);
        for (const auto& f : sorted_entries(p)) is_run = is_run || is_run_record(f);
        if (is_run) runs[p.filename().string()].push_back(p);
      } else if (is_json_file(p) && p.filename() != "merge.json") {
        top_files.emplace(p.filename().string(), p);  // plan files: the first input's copy
      }
    }
  }
  if (runs.empty())
    throw Error("no run directories under " + o.inputs.front().string() + (o.inputs.size() > 1 ? " …" : "") +
                "; pass the output roots of `egsde run`");

  MergeResult result;
  for (const auto& [name, path] : top_files) copy_atomic(path, dest / name);

  for (const auto& [run_id, dirs] : runs) {
    std::map<std::string, Item> items;  // image → first holder
    for (const auto& dir : dirs) {
      for (const auto& marker : sorted_entries(dir / "items")) {
        if (!is_json_file(marker)) continue;
        const std::string image = marker.filename().stem().string();
        const fs::path img = dir / "images" / image;
        if (!fs::is_regular_file(img, ec))
          throw Error("item " + run_id + "/" + image + " in " + dir.string() +
                      " has a completion record but no image; rerun that shard with --resume");
        Item item{dir, stable_record(read_json_file(marker))};
        const auto it = items.find(image);
        if (it == items.end()) {
          items.emplace(image, std::move(item));
          continue;
        }
        const fs::path& first = it->second.run_dir;
        const char* what = nullptr;
        if (read_bytes(first / "images" / image) != read_bytes(img)) what = "images";
        else if (it->second.stable != item.stable) what = "records";
        if (what)
          throw Error("item " + run_id + "/" + image + " is in " + first.string() + " and " + dir.string() +
                      " with different " + what + "; delete the wrong copy (items/" + image + ".json and images/" +
                      image + ") and rerun its shard with --resume");
        ++result.duplicates;
      }
    }

    const fs::path out = dest / run_id;
    for (const char* sub : {"items", "images", "failed"}) fs::create_directories(out / sub, ec);
    if (ec) throw Error("cannot create " + out.string() + ": " + ec.message());
    for (const auto& [image, item] : items) {
      copy_atomic(item.run_dir / "images" / image, out / "images" / image);
      copy_atomic(item.run_dir / "items" / (image + ".json"), out / "items" / (image + ".json"));
      fs::remove(out / "failed" / (image + ".json"), ec);  // a failure another shard's retry fixed
    }
    // The weights the items were made with (runner/weights_record.h): one record for all inputs.
    std::optional<std::pair<fs::path, json>> weights;
    for (const auto& dir : dirs) {
      if (!fs::is_regular_file(dir / "weights.json", ec)) continue;
      json w = read_json_file(dir / "weights.json");
      if (!weights) weights.emplace(dir / "weights.json", std::move(w));
      else if (weights->second != w)
        throw Error("run " + run_id + ": " + weights->first.string() + " and " + (dir / "weights.json").string() +
                    " record different weights: its shards were translated with different networks; rerun one "
                    "of them with the other's weights (a new --output) before merging");
    }
    if (weights) copy_atomic(weights->first, out / "weights.json");
    for (const auto& dir : dirs) {
      for (const auto& f : sorted_entries(dir / "failed"))
        if (is_json_file(f) && !items.count(f.filename().stem().string()) && !fs::exists(out / "failed" / f.filename(), ec))
          copy_atomic(f, out / "failed" / f.filename());
      if (fs::exists(dir / "metrics.json", ec))
        result.notes.push_back(run_id + ": " + (dir / "metrics.json").string() +
                               " not copied (evaluate the merged run instead)");
    }

    // Run records → one run.json.
    std::vector<json> records;
    json merged_from = json::array(), sessions = json::array();
    for (const auto& dir : dirs) {
      for (const auto& f : sorted_entries(dir)) {
        if (!is_run_record(f)) continue;
        json r = read_json_file(f);
        const auto text = [&](const char* key, const std::string& fallback) {
          if (!r.contains(key)) return fallback;
          if (!r[key].is_string()) throw Error(f.string() + ": \"" + key + "\" is not a string; rerun that shard");
          return r[key].get<std::string>();
        };
        if (!r.is_object() || text("id", "") != run_id)
          throw Error(f.string() + " is not the record of run " + run_id + "; remove it or rerun `egsde run`");
        if (!records.empty() && r.value("config", json()) != records.front().value("config", json()))
          throw Error("run " + run_id + ": " + f.string() + " has another config than " +
                      merged_from[0]["file"].get<std::string>() + " (different egsde versions?); rerun that shard");
        merged_from.push_back({{"file", f.string()},
                               {"shard", text("shard", "0/1")},
                               {"status", text("status", "unknown")},
                               {"items_done", r.value("items_done", json())}});
        if (r.contains("sessions") && r["sessions"].is_array())
          for (json s : r["sessions"]) {
            s["record"] = f.string();
            sessions.push_back(std::move(s));
          }
        records.push_back(std::move(r));
      }
    }
    ++result.runs;
    result.items += items.size();
    if (records.empty()) {
      result.notes.push_back(run_id + ": no run record in any input (items merged, run.json not written)");
      continue;
    }
    json merged = records.front();
    const bool complete = merged_complete(records);
    merged["shard"] = "merged";
    merged["items"] = items.size();
    merged["items_done"] = items.size();
    merged["status"] = complete ? "complete" : "incomplete";
    merged["sessions"] = sessions;
    merged["merged_from"] = merged_from;
    write_json_file(out / "run.json", merged);
    if (complete) ++result.complete;
  }

  json inputs = json::array();
  for (const auto& in : o.inputs) inputs.push_back(in.string());
  write_json_file(dest / "merge.json", {{"inputs", inputs},
                                            {"date", utc_now()},
                                            {"runs", result.runs},
                                            {"items", result.items},
                                            {"complete_runs", result.complete},
                                            {"provenance", provenance()}});
  return result;
}

// A hidden folder next to `output` ("OUT/.merged.merge-tmp-PID" for "OUT/merged"), on the same
// file system so that rename(2) can swap it in.
fs::path sibling(const fs::path& output, const std::string& what) {
  fs::path p = fs::absolute(output).lexically_normal();
  if (p.filename().empty()) p = p.parent_path();
  return p.parent_path() / ("." + p.filename().string() + "." + what + "-" + std::to_string(::getpid()));
}

// True when `dir` holds nothing but egsde's lock file.
bool only_lock_file(const fs::path& dir) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().filename() != kOutputLockName) return false;
  return true;
}

}  // namespace

MergeResult merge_roots(const MergeOptions& o) {
  std::error_code ec;
  if (o.inputs.size() < 1) throw Error("egsde merge needs at least one input root; e.g. egsde merge OUT/shard-0 OUT/shard-1 --output OUT/merged");
  for (const auto& in : o.inputs) {
    if (!fs::is_directory(in, ec))
      throw Error("input root " + in.string() + " does not exist or is not a directory; pass the --output of each `egsde run --shard`");
    if (fs::exists(o.output, ec) && fs::equivalent(in, o.output, ec))
      throw Error("--output " + o.output.string() + " is also an input; merge into a new directory");
  }
  if (fs::exists(o.output, ec) && !fs::is_directory(o.output, ec))
    throw Error("--output " + o.output.string() + " is a file; give a directory for the merged root");

  // The merge is built in a hidden folder next to --output and renamed over it at the end, so a
  // merge that fails leaves --output as it was (absent when it did not exist).
  const bool existed = fs::exists(o.output, ec);
  const OutputLock lock = OutputLock::acquire(o.output, "merge");
  const fs::path dest = sibling(o.output, "merge-tmp");
  try {
    if (!only_lock_file(o.output) && !o.overwrite)
      throw Error("--output " + o.output.string() +
                  " is not empty; pass --overwrite to replace it with the merge, or choose a new directory");
    fs::remove_all(dest, ec);
    fs::create_directories(dest, ec);
    if (ec) throw Error("cannot create " + dest.string() + ": " + ec.message() + "; choose a writable --output");
    MergeResult result = merge_into(o, dest);
    // Swap: --output (holding at least the lock file) aside, the merge in its place, the old one gone.
    const fs::path old = sibling(o.output, "merge-old");
    fs::remove_all(old, ec);
    fs::rename(o.output, old, ec);
    if (ec) throw Error("cannot move " + o.output.string() + " aside to replace it: " + ec.message());
    fs::rename(dest, o.output, ec);
    if (ec) {
      std::error_code back;
      fs::rename(old, o.output, back);
      throw Error("cannot rename " + dest.string() + " to " + o.output.string() + ": " + ec.message());
    }
    fs::remove_all(old, ec);
    return result;
  } catch (...) {
    fs::remove_all(dest, ec);
    if (!existed) {  // ours: the lock file only
      fs::remove(o.output / kOutputLockName, ec);
      fs::remove(o.output, ec);
    }
    throw;
  }
}

}  // namespace egsde::runner
