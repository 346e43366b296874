// A spec expands into resolved runs: methods (spec order) × grid points (keys sorted, the last
// key varying fastest) × repeats. Each run carries its canonical translation config and a stable
// id hashed from it, so the same run has the same id whatever the spec's key order, and runs that
// resolve to the same config (e.g. a grid over args.ls with sdedit, which fixes ls = 0) collapse
// into one. Evaluation settings and max_images are not part of the id: they do not change a
// translated image. Each run's profile is the spec's JSON patched (grid point, seed, method) and
// parsed once by the one validator (translate/profile.h), so a run that expands is a run a worker
// accepts.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runner/spec.h"

namespace egsde::runner {

struct Run {
  std::string id;              // 12 hex digits of FNV-1a 64 over config.dump()
  std::string label;           // human-readable: "egsde args.ls=500 seed=1234"
  Method method = Method::Egsde;
  int64_t repeat = 0;          // index into Spec::seeds
  int64_t seed = 0;            // = profile.args.seed
  nlohmann::json grid_point;   // {"args.ls": 500, ...}: this run's grid values
  nlohmann::json profile;      // {"args", "config"} as checked (Profile::canonical); paths as written
  nlohmann::json config;       // {"method", "profile", "repeat", "rng"[, respace, precision, conv]}: what the id hashes
  Profile resolved;            // `profile` parsed once (paths resolved): what the worker samples with
  int64_t respace = 0;         // the spec's settings, as the sampler takes them
  Precision precision = Precision::Fp32;
  ConvAlgo conv = ConvAlgo::Direct;
};

struct Expansion {
  std::vector<Run> runs;
  std::size_t collapsed = 0;   // grid points that resolved to an earlier run's config
};

Expansion expand(const Spec& spec);

// The profile changes that define each method: egsde-dagger sets ls 700, li 0.5, t = 0.6·T;
// sdedit and ilvr set ls = li = 0 (ILVR's own refinement uses down_N and t).
void apply_method(nlohmann::json& profile, Method method);

// Sets a dotted key ("args.ls", "config.model.dropout") in `j`, creating objects on the way.
void set_dotted(nlohmann::json& j, const std::string& key, const nlohmann::json& value);

// The run whose id equals `key`, or whose id starts with it when that prefix is unique.
// Throws egsde::Error naming the nearest id otherwise.
const Run& find_run(const std::vector<Run>& runs, const std::string& key);

}  // namespace egsde::runner
