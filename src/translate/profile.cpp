#include "translate/profile.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include "core/error.h"
#include "core/file_check.h"
#include "core/json_io.h"
#include "core/suggest.h"
#include "models/adm_config.h"

namespace egsde {
namespace {

namespace fs = std::filesystem;
using adm::JsonField;

const std::vector<std::pair<std::string, RealismScore>> kS1 = {{"cosine", RealismScore::Cosine},
                                                               {"neg_l2", RealismScore::NegL2}};
const std::vector<std::pair<std::string, FaithfulScore>> kS2 = {{"neg_l2", FaithfulScore::NegL2},
                                                                {"cosine", FaithfulScore::Cosine}};
const std::vector<std::pair<std::string, BetaSchedule>> kBetas = {
    {"linear", BetaSchedule::Linear}, {"quad", BetaSchedule::Quad}, {"const", BetaSchedule::Const},
    {"jsd", BetaSchedule::Jsd},       {"sigmoid", BetaSchedule::Sigmoid}};
const std::vector<std::pair<std::string, VarType>> kVarTypes = {{"fixedsmall", VarType::FixedSmall},
                                                                {"fixedlarge", VarType::FixedLarge}};

// A field given as a string and turned into something else by `convert` (paths, enums); an
// enum's own error (core/suggest.h parse_named) gets `what` in front, naming the profile.
JsonField string_as(const std::string& what, const std::string& name, std::function<void(const std::string&)> convert) {
  return {name, "a string", [what, convert](const nlohmann::json& v) {
            if (!v.is_string()) throw std::invalid_argument("type");
            try {
              convert(v.get<std::string>());
            } catch (const Error& e) {
              throw Error(what + ": " + e.what());
            }
          }};
}

// An integer arg; a whole number written as a float (5.0) is the same value, as JSON tools write it.
JsonField whole_field(const std::string& name, int64_t& dst) {
  return {name, "an integer", [&dst](const nlohmann::json& v) {
            if (v.is_number_integer()) {
              dst = v.get<int64_t>();
              return;
            }
            const double d = v.is_number_float() ? v.get<double>() : 0.5;
            if (!(std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e15)) throw std::invalid_argument("type");
            dst = static_cast<int64_t>(d);
          }};
}

fs::path resolve(const fs::path& base, const std::string& p) {
  const fs::path path(p);
  return (path.is_absolute() || base.empty() ? path : base / path).lexically_normal();
}

void require(const nlohmann::json& j, const std::string& what, const std::vector<std::string>& keys) {
  for (const auto& k : keys)
    if (!j.contains(k)) throw Error(what + ": required key '" + k + "' is missing");
}

ProfileArgs parse_args(const nlohmann::json& j, const fs::path& base, const std::string& what) {
  ProfileArgs a;
  int64_t seed = 1234;
  std::string ignored;
  const std::vector<JsonField> fields = {
      {"testdata_path", "a string or a list of strings",
       [&](const nlohmann::json& v) {
         if (v.is_string()) {
           a.testdata_path = {resolve(base, v.get<std::string>())};
           return;
         }
         if (!v.is_array() || v.empty()) throw std::invalid_argument("type");
         for (const auto& e : v) {
           if (!e.is_string()) throw std::invalid_argument("type");
           a.testdata_path.push_back(resolve(base, e.get<std::string>()));
         }
       }},
      string_as(what, "ckpt", [&](const std::string& s) { a.ckpt = resolve(base, s); }),
      string_as(what, "dsepath", [&](const std::string& s) { a.dsepath = s.empty() ? fs::path() : resolve(base, s); }),
      string_as(what, "config_path", [&](const std::string&) {}),  // the yml is inlined as "config"
      string_as(what, "root", [&](const std::string&) {}),         // unused by runners/egsde.py
      whole_field("t", a.t),
      adm::number_field("ls", a.ls),
      adm::number_field("li", a.li),
      string_as(what, "s1", [&](const std::string& s) { a.s1 = parse_realism_score(s); }),
      string_as(what, "s2", [&](const std::string& s) { a.s2 = parse_faithful_score(s); }),
      adm::string_field("phase", a.phase),
      whole_field("sample_step", a.sample_step),
      whole_field("batch_size", a.batch_size),
      string_as(what, "diffusionmodel", [&](const std::string& s) { a.diffusionmodel = parse_diffusion_model(s); }),
      whole_field("down_N", a.down_N),
      whole_field("seed", seed),
      adm::number_field("lc", a.lc),
      whole_field("lc_class", a.lc_class),
  };
  require(j, what, {"testdata_path", "ckpt", "t", "ls", "li", "s1", "s2", "phase", "sample_step", "batch_size",
                    "diffusionmodel", "down_N", "seed"});
  adm::read_json_fields(j, what, fields);
  a.seed = static_cast<uint64_t>(seed);
  if (a.t < 1) throw Error(what + ": t = " + std::to_string(a.t) + " must be at least 1");
  if (a.sample_step < 1) throw Error(what + ": sample_step must be at least 1");
  if (a.batch_size < 1) throw Error(what + ": batch_size must be at least 1");
  if (a.down_N < 1) throw Error(what + ": down_N must be at least 1");
  if (seed < 0) throw Error(what + ": seed must be non-negative");
  if (a.phase != "test")
    throw Error(what + ": phase '" + a.phase + "': translation uses the DSE's features, phase 'test'");
  if (a.ls != 0 && a.dsepath.empty()) throw Error(what + ": dsepath is required when ls is not 0");
  if (a.lc != 0 && a.dsepath.empty())
    throw Error(what + ": dsepath is required when lc is not 0 (classifier guidance uses the DSE's train-phase head)");
  if (a.lc != 0 && a.lc_class < 0)
    throw Error(what + ": lc_class (the target domain's class index in the DSE's head, e.g. 1) is required when lc is not 0");
  // Eq. (4)'s weights: a negative λ would reward the source-domain features / distance.
  for (const auto& [name, lambda] : {std::pair{"ls", a.ls}, std::pair{"li", a.li}, std::pair{"lc", a.lc}})
    if (!(lambda >= 0))
      throw Error(what + ": " + name + " = " + std::to_string(lambda) + " must be >= 0 (0 switches its expert off)");
  return a;
}

ScheduleConfig parse_schedule(const nlohmann::json& config, const std::string& what) {
  ScheduleConfig s;
  const auto& d = config["diffusion"];
  require(d, what + ".diffusion", {"beta_schedule", "beta_start", "beta_end", "num_diffusion_timesteps"});
  adm::read_json_fields(
      d, what + ".diffusion",
      {string_as(what + ".diffusion", "beta_schedule", [&](const std::string& v) { s.beta_schedule = parse_named(v, kBetas, "beta_schedule"); }),
       adm::number_field("beta_start", s.beta_start), adm::number_field("beta_end", s.beta_end),
       adm::int_field("num_diffusion_timesteps", s.num_diffusion_timesteps)});
  const auto& m = config["model"];
  if (!m.contains("var_type")) throw Error(what + ".model: required key 'var_type' is missing");
  if (!m["var_type"].is_string()) throw Error(what + ".model: key 'var_type' must be a string");
  s.var_type = parse_named(m["var_type"].get<std::string>(), kVarTypes, what + ".model.var_type");
  if (s.num_diffusion_timesteps < 1) throw Error(what + ".diffusion: num_diffusion_timesteps must be positive");
  // Each β_t is a variance in (0, 1] (guided-diffusion's GaussianDiffusion asserts it):
  // linear/quad/sigmoid run from beta_start to beta_end, const uses beta_end, jsd neither.
  const bool uses_start = s.beta_schedule != BetaSchedule::Const && s.beta_schedule != BetaSchedule::Jsd;
  const bool uses_end = s.beta_schedule != BetaSchedule::Jsd;
  auto out_of_range = [&](const char* key, double v) {
    return Error(what + ".diffusion: " + key + " = " + std::to_string(v) + " must be in (0, 1] (a per-step noise variance)");
  };
  if (uses_start && !(s.beta_start > 0 && s.beta_start <= 1)) throw out_of_range("beta_start", s.beta_start);
  if (uses_end && !(s.beta_end > 0 && s.beta_end <= 1)) throw out_of_range("beta_end", s.beta_end);
  if (uses_start && s.beta_start > s.beta_end)
    throw Error(what + ".diffusion: beta_start " + std::to_string(s.beta_start) + " exceeds beta_end " +
                std::to_string(s.beta_end) + "; the noise variance grows with t");
  return s;
}

}  // namespace

RealismScore parse_realism_score(const std::string& s) { return parse_named(s, kS1, "s1"); }
FaithfulScore parse_faithful_score(const std::string& s) { return parse_named(s, kS2, "s2"); }
std::string to_string(RealismScore s) { return name_of(s, kS1); }
std::string to_string(FaithfulScore s) { return name_of(s, kS2); }

Profile parse_profile(const nlohmann::json& j, const fs::path& base_dir, const std::string& what) {
  if (!j.is_object()) throw Error(what + ": expected a JSON object with \"args\" and \"config\"");
  const std::vector<std::string> top = {"args", "config", "description"};
  for (const auto& [k, v] : j.items())
    if (std::find(top.begin(), top.end(), k) == top.end())
      throw Error(what + ": unknown key '" + k + "'; did you mean '" + nearest(k, top) + "'?");
  require(j, what, {"args", "config"});
  Profile p;
  p.args = parse_args(j["args"], base_dir, what + " args");
  const auto& c = j["config"];
  if (!c.is_object()) throw Error(what + ": \"config\" must be an object (the yml's sections)");
  const std::vector<std::string> sections = {"data", "model", "diffusion", "dse"};
  for (const auto& [k, v] : c.items()) {
    if (std::find(sections.begin(), sections.end(), k) == sections.end())
      throw Error(what + " config: unknown section '" + k + "'; did you mean '" + nearest(k, sections) + "'?");
    if (!v.is_object()) throw Error(what + " config: section '" + k + "' must be an object");
  }
  require(c, what + " config", {"data", "model", "diffusion"});
  if (p.args.ls != 0 && !c.contains("dse")) throw Error(what + " config: section 'dse' is required when ls is not 0");
  if (p.args.lc != 0 && !c.contains("dse")) throw Error(what + " config: section 'dse' is required when lc is not 0");
  if (!c["data"].contains("image_size")) throw Error(what + " config.data: required integer 'image_size' is missing");
  if (!c["data"]["image_size"].is_number_integer())
    throw Error(what + " config.data: 'image_size' must be an integer, not " + std::string(c["data"]["image_size"].type_name()) +
                " " + c["data"]["image_size"].dump());
  p.image_size = c["data"]["image_size"].get<int64_t>();
  if (p.image_size < 1) throw Error(what + " config.data: image_size must be positive");
  if (p.image_size % p.args.down_N != 0)
    throw Error(what + ": data.image_size " + std::to_string(p.image_size) + " is not divisible by down_N " +
                std::to_string(p.args.down_N));
  p.schedule = parse_schedule(c, what + " config");
  if (p.args.t > p.schedule.num_diffusion_timesteps)
    throw Error(what + ": t = " + std::to_string(p.args.t) + " exceeds num_diffusion_timesteps " +
                std::to_string(p.schedule.num_diffusion_timesteps));
  p.config = c;
  p.canonical = j;
  p.canonical.erase("description");  // a note for people
  nlohmann::json& args = p.canonical["args"];
  args.erase("config_path");
  args.erase("root");
  args["ls"] = p.args.ls;  // 500 and 500.0 are one value, as are 5 and 5.0
  args["li"] = p.args.li;
  args["t"] = p.args.t;
  args["sample_step"] = p.args.sample_step;
  args["batch_size"] = p.args.batch_size;
  args["down_N"] = p.args.down_N;
  args["seed"] = static_cast<int64_t>(p.args.seed);
  if (p.args.lc == 0) {  // no classifier guidance: the same run as a profile that does not name it
    args.erase("lc");
    args.erase("lc_class");
  } else {
    args["lc"] = p.args.lc;
    args["lc_class"] = p.args.lc_class;
  }
  return p;
}

const std::vector<std::string>& profile_arg_names() {
  static const std::vector<std::string> names = {"testdata_path", "ckpt",        "dsepath",    "t",
                                                 "ls",            "li",          "s1",         "s2",
                                                 "phase",         "sample_step", "batch_size", "diffusionmodel",
                                                 "down_N",        "seed",       "lc",         "lc_class"};
  return names;
}

Profile read_profile(const fs::path& path) {
  if (const std::string why = not_a_file_reason(path); !why.empty()) throw Error("profile " + path.string() + " " + why);
  Profile p = parse_profile(read_json_file(path), fs::absolute(path).parent_path(), "profile " + path.string());
  p.source = path;
  return p;
}

nlohmann::json to_json(const Profile& p) {
  const auto& a = p.args;
  nlohmann::json paths = nlohmann::json::array();
  for (const auto& d : a.testdata_path) paths.push_back(d.string());
  nlohmann::json args = {{"testdata_path", a.testdata_path.size() == 1 ? nlohmann::json(paths[0]) : paths},
                         {"ckpt", a.ckpt.string()},
                         {"dsepath", a.dsepath.string()},
                         {"t", a.t},
                         {"ls", a.ls},
                         {"li", a.li},
                         {"s1", to_string(a.s1)},
                         {"s2", to_string(a.s2)},
                         {"phase", a.phase},
                         {"sample_step", a.sample_step},
                         {"batch_size", a.batch_size},
                         {"diffusionmodel", to_string(a.diffusionmodel)},
                         {"down_N", a.down_N},
                         {"seed", a.seed}};
  if (a.lc != 0) {
    args["lc"] = a.lc;
    args["lc_class"] = a.lc_class;
  }
  return {{"args", args}, {"config", p.config}};
}

}  // namespace egsde
