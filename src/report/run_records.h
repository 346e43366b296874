// What a run's records say about it as it ran, for the tables: OUT/<id>/run.json, else its first
// shard record run.shard-I-of-N.json (written by `egsde run`, src/runner/execute.cpp). A run's
// method, repeat and profile are its own (its id hashes them); its label, grid point and default
// flag are a spec's view of it, kept per spec under "specs" because specs that expand to the same
// config share the run (demo and demo_sweep). Records of older egsde lack some fields: those are
// nullopt here, and the caller says where it took them from instead.
#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "runner/spec.h"

namespace egsde::report {

// One spec's view of a run.
struct SpecView {
  std::optional<std::string> label;
  std::optional<nlohmann::json> grid;     // the grid point as the spec wrote it ({"args.ls": 500})
  std::optional<bool> is_default;         // the spec's own setting
};

struct RecordedRun {
  std::filesystem::path file;             // the record read
  std::string id;
  std::string spec;                       // the spec that wrote it last ("" = not recorded)
  std::optional<runner::Method> method;
  std::optional<int64_t> repeat;
  std::optional<nlohmann::json> profile;  // config.profile: the resolved {"args", "config"}
  SpecView last;                          // the top-level label/grid/default (the last writer's view)
  std::map<std::string, SpecView> views;  // spec name → its view ("specs"; an older record: its "spec" only)
  std::set<std::string> devices;          // from the sessions of every record of the run
};

// run.json first, then the shard records (sorted); empty when there is none.
std::vector<std::filesystem::path> run_record_files(const std::filesystem::path& run_dir);

// nullopt when run_dir has no record. Throws egsde::Error naming the file and the fix when the
// record is unreadable, not a JSON object, belongs to another run (its id is not the folder's
// name) or has a field of the wrong type.
std::optional<RecordedRun> read_run_record(const std::filesystem::path& run_dir);

// Devices listed in the sessions of run.json / run.shard-*.json under run_dir (a damaged record
// loses its devices, not the table).
std::set<std::string> read_devices(const std::filesystem::path& run_dir);

}  // namespace egsde::report
