// Experiment specs (experiments/*.json): an official-format profile, the methods to compare, a
// grid over any profile key, repeats and the evaluation. Parsed strictly here, once: unknown keys
// are errors that name the nearest valid key, and strings become enums. Keys starting with "_"
// are comments (e.g. "_source") anywhere and never reach a resolved run.
//
//   {
//     "name": "cat2dog",                       // required; [A-Za-z0-9_.-]+
//     "description": "...",                   // optional
//     "profile": {"args": {...}, "config": {...}} | "path/to/profile.json",
//     "methods": ["egsde", "egsde-dagger", "sdedit", "ilvr"],   // default ["egsde"]
//     "grid": {"args.ls": [0, 500], "config.diffusion.beta_end": [0.02]},  // default {}
//          or a list of such objects: the union of their products (a λs sweep and a λi sweep)
//     "repeats": 5,                            // default 1; seeds args.seed + r
//     "seeds": [1234, 1235],                   // optional explicit seeds (one per repeat)
//     "rng": "per-sample" | "official",        // default per-sample
//     "max_images": 0,                         // 0 = all source images
//     "respace": 0,                            // 0 = the full schedule; K = K steps spaced over it, those below t run
//     "precision": "fp32" | "tf32" | "bf16",  // default fp32 (official); bf16 = autocast (issue 8)
//     "conv": "direct" | "winograd",          // default direct; winograd = oneDNN on AVX-512 CPUs
//     "evaluation": {"task": "cat2dog", "protocol": "official-afhq", "source": DIR,
//                    "target": DIR|STATS, "inception": FILE}   // optional
//     or, for the demo: {"task": "custom", "source": DIR, "target": DIR, "classifier": FILE,
//                        "classifier_config": {...}, "target_class": "sneaker"}
//   }
//
// Relative paths in a profile resolve against the profile file's directory (the spec's for an
// inline profile); those in "evaluation" against the spec's directory.
#pragma once
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/precision.h"
#include "metrics/protocol.h"
#include "models/winograd.h"
#include "samplers/noise.h"
#include "translate/profile.h"

namespace egsde::runner {

// A spec's method is a preset of the profile (egsde-dagger = EGSDE with the paper's λs 700,
// λi 0.5, M 0.6T; sdedit = λs = λi = 0), not the sampler algorithm (translate/method_sampler.h Method,
// which a preset maps to). Tasks, FID protocols and noise protocols are the metrics' and the
// samplers' own enums (metrics/protocol.h, samplers/noise.h), defined once there.
enum class Method { Egsde, EgsdeDagger, Sdedit, Ilvr };
using metrics::FidProtocol;
using metrics::Task;

std::string to_string(Method m);

// Parse the spec spelling; `where` names the file for the error message.
Method parse_method(const std::string& s, const std::string& where);

// One grid axis: a dotted key into the profile ("args.ls", "config.model.dropout") and its values.
struct GridAxis {
  std::string key;
  std::vector<nlohmann::json> values;
};

// A product of axes; a spec's runs cover the union of its grids.
using Grid = std::vector<GridAxis>;

struct Evaluation {
  Task task = Task::Custom;
  FidProtocol protocol = FidProtocol::OfficialAfhq;
  std::filesystem::path source;     // the untranslated images; default: the profile's testdata_path
  std::vector<std::filesystem::path> source_files;  // set per run: the plan's sources (max_images) when `source` is the run's folder
  std::filesystem::path target;     // a folder of target-domain images or FID statistics
  std::filesystem::path inception;  // pt_inception-2015-12-05 weights (FID), or:
  std::filesystem::path classifier; // the demo's FMNIST classifier (FD-FMNIST "fd" + "accuracy")
  nlohmann::json classifier_config = nlohmann::json::object();
  int64_t target_class = -1;        // FMNIST label whose share among the translations is "accuracy"
};

struct Spec {
  std::string name;
  std::string description;
  std::filesystem::path file;         // where the spec was read from ("" when parsed from memory)
  nlohmann::json profile;             // {"args", "config"} as parse_profile checked it (Profile::canonical)
  std::filesystem::path profile_dir;  // relative profile paths resolve against this
  std::vector<Method> methods{Method::Egsde};
  std::vector<Grid> grids;            // each sorted by key (deterministic expansion); none = one point
  std::vector<int64_t> seeds;         // one per repeat
  RngProtocol rng = RngProtocol::PerSample;
  int64_t max_images = 0;             // 0 = every source image
  int64_t respace = 0;                // 0 = the full schedule; K = K spaced steps (changes the images)
  Precision precision = Precision::Fp32;  // of the network forwards (bf16 changes the images)
  ConvAlgo conv = ConvAlgo::Direct;       // the networks' 3x3 convolutions (winograd: rounding-level changes)
  std::optional<Evaluation> evaluation;
};

// Parses `j` (the spec file's content); `file` is used for messages and relative paths.
Spec parse_spec(const nlohmann::json& j, const std::filesystem::path& file);
Spec read_spec(const std::filesystem::path& file);

// What egsde run adds to the profile's own rules (translate/profile.h parse_profile): one source
// folder, and sample_step 1 (repeats are the spec's seeds). Throws egsde::Error naming `where`.
void check_runnable(const Profile& profile, const std::string& where);

// Drops every key starting with "_" (comments), recursively.
nlohmann::json strip_comments(const nlohmann::json& j);

}  // namespace egsde::runner
