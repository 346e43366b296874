// The official EGSDE profile (profiles/<task>/args.py + the yml it names) as one JSON file:
//   {"args": {testdata_path, ckpt, dsepath, t, ls, li, s1, s2, phase, sample_step, batch_size,
//             diffusionmodel, down_N, seed [, config_path, root: accepted, unused]
//             [, lc, lc_class: egsde's classifier guidance, not in args.py]},
//    "config": {"data": {image_size, …}, "model": {…}, "diffusion": {…}, "dse": {…}}}
// Keys are checked strictly (unknown → the nearest valid name); strings become enums here.
// Relative paths resolve against the profile file's directory.
#pragma once
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "diffusion/schedule.h"
#include "guidance/energies.h"
#include "models/eps_model.h"

namespace egsde {

struct ProfileArgs {
  std::vector<std::filesystem::path> testdata_path;  // a folder, or a list (multi-domain)
  std::filesystem::path ckpt;     // the score model's checkpoint
  std::filesystem::path dsepath;  // the DSE's checkpoint; may be empty when ls == 0
  int64_t t = 500;                // M, the start step
  double ls = 500;                // λs, realism expert weight
  double li = 2;                  // λi, faithful expert weight
  RealismScore s1 = RealismScore::Cosine;
  FaithfulScore s2 = FaithfulScore::NegL2;
  std::string phase = "test";     // the DSE's phase; translation needs "test"
  int64_t sample_step = 1;        // repeats of EGSDE (Appendix A.2)
  int64_t batch_size = 20;
  DiffusionModel diffusionmodel = DiffusionModel::Adm;
  int64_t down_N = 32;            // the low-pass factor
  uint64_t seed = 1234;
  // Classifier guidance (not in the official args.py): λc and the target class of the DSE's
  // train-phase head (the DSE's label order: the official labeldataset's class index).
  double lc = 0;
  int64_t lc_class = -1;          // required when lc is not 0
};

struct Profile {
  std::filesystem::path source;  // the file it was read from ("" if built in memory)
  ProfileArgs args;
  // The yml sections as given (data, model, diffusion, dse); the networks read theirs strictly.
  nlohmann::json config;
  int64_t image_size = 0;        // config.data.image_size
  ScheduleConfig schedule;       // config.diffusion + config.model.var_type
  // The input as checked, in one canonical form: "description" and the unused args config_path
  // and root dropped, ls/li/lc as floats, lc/lc_class only when lc is not 0 (so profiles without
  // classifier guidance keep their ids), paths as written. What a run's id hashes (runner/expand.h).
  nlohmann::json canonical;
};

// The args.py names a profile's "args" holds (config_path and root are accepted and dropped).
const std::vector<std::string>& profile_arg_names();

// Parses and checks; `base_dir` resolves relative paths, `what` names the profile in errors.
Profile parse_profile(const nlohmann::json& j, const std::filesystem::path& base_dir, const std::string& what);
Profile read_profile(const std::filesystem::path& path);

// The resolved profile in the input format (absolute paths, every arg present).
nlohmann::json to_json(const Profile& p);

std::string to_string(RealismScore s);
std::string to_string(FaithfulScore s);
RealismScore parse_realism_score(const std::string& s);      // "cosine" / "neg_l2"
FaithfulScore parse_faithful_score(const std::string& s);    // "neg_l2" / "cosine"

}  // namespace egsde
