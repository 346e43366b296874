#include "runner/spec.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "core/error.h"
#include "core/json_io.h"
#include "core/suggest.h"
#include "datasets/fashion_mnist.h"

namespace egsde::runner {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const std::vector<std::pair<std::string, Method>> kMethods = {
    {"egsde", Method::Egsde}, {"egsde-dagger", Method::EgsdeDagger}, {"sdedit", Method::Sdedit}, {"ilvr", Method::Ilvr}};

bool is_comment(const std::string& key) { return !key.empty() && key[0] == '_'; }

// Every non-comment key of `obj` must be in `allowed`.
void check_keys(const json& obj, const std::vector<std::string>& allowed, const std::string& where,
                const std::string& context) {
  for (const auto& [key, value] : obj.items()) {
    if (is_comment(key) || std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    throw Error(where + ": unknown key '" + key + "' in " + context + "; did you mean '" + nearest(key, allowed) +
                "'? (keys starting with '_' are comments)");
  }
}

const json& require(const json& obj, const std::string& key, const std::string& where, const std::string& context) {
  if (!obj.contains(key)) throw Error(where + ": " + context + " has no '" + key + "'; add it");
  return obj.at(key);
}

std::string type_name(const json& v) { return v.type_name(); }

int64_t as_int(const json& v, const std::string& where, const std::string& key) {
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e15) return static_cast<int64_t>(d);
  }
  throw Error(where + ": '" + key + "' must be an integer, not " + (v.is_number() ? v.dump() : type_name(v)));
}

std::string as_string(const json& v, const std::string& where, const std::string& key) {
  if (!v.is_string()) throw Error(where + ": '" + key + "' must be a string, not " + type_name(v));
  return v.get<std::string>();
}

// Dotted paths of every leaf under `j` (objects descend, anything else is a leaf).
void leaf_paths(const json& j, const std::string& prefix, std::vector<std::string>& out) {
  if (!j.is_object() || j.empty()) {
    out.push_back(prefix);
    return;
  }
  for (const auto& [k, v] : j.items()) leaf_paths(v, prefix + "." + k, out);
}

// The grid key to suggest for `key`: a valid path ending in ".<key>" (a bare "ls" means
// "args.ls", not "args.t", the nearest by spelling), else the nearest by spelling.
std::string suggest_grid_key(const std::string& key, const std::vector<std::string>& valid) {
  const std::string tail = "." + key;
  for (const auto& v : valid)
    if (v.size() > tail.size() && v.compare(v.size() - tail.size(), tail.size(), tail) == 0) return v;
  return nearest(key, valid);
}

fs::path resolve(const fs::path& base, const std::string& p) {
  const fs::path path(p);
  return (path.is_absolute() ? path : base / path).lexically_normal();
}

}  // namespace

std::string to_string(Method m) { return name_of(m, kMethods); }

Method parse_method(const std::string& s, const std::string& where) {
  try {
    return parse_named(s, kMethods, "method");
  } catch (const Error& e) {
    throw Error(where + ": " + e.what());
  }
}

json strip_comments(const json& j) {
  if (j.is_object()) {
    json out = json::object();
    for (const auto& [k, v] : j.items())
      if (!is_comment(k)) out[k] = strip_comments(v);
    return out;
  }
  if (j.is_array()) {
    json out = json::array();
    for (const auto& v : j) out.push_back(strip_comments(v));
    return out;
  }
  return j;
}

void check_runnable(const Profile& profile, const std::string& where) {
  const ProfileArgs& a = profile.args;
  if (a.testdata_path.size() != 1)
    throw Error(where + ": args.testdata_path lists " + std::to_string(a.testdata_path.size()) +
                " folders; egsde run translates one source folder (a list is egsde translate's multi-domain input)");
  if (a.sample_step != 1)
    throw Error(where + ": args.sample_step is " + std::to_string(a.sample_step) +
                "; egsde run repeats with 'repeats' (seeds) instead — set sample_step to 1");
}

// j[key] as a string through `parse` (an enum's parse_* from core/suggest.h), its error
// prefixed with the spec's name.
template <typename Parse>
auto parse_field(const json& j, const char* key, const std::string& where, Parse parse) {
  try {
    return parse(as_string(j[key], where, key));
  } catch (const Error& e) {
    throw Error(where + ": " + e.what());
  }
}

Spec parse_spec(const json& j, const fs::path& file) {
  const std::string where = file.empty() ? std::string("spec") : file.string();
  if (!j.is_object()) throw Error(where + ": a spec must be a JSON object");
  check_keys(j, {"name", "description", "profile", "methods", "grid", "repeats", "seeds", "rng", "max_images", "respace", "precision", "conv", "evaluation"},
             where, "the spec");
  Spec s;
  s.file = file;
  const fs::path spec_dir = file.has_parent_path() ? file.parent_path() : fs::path(".");

  s.name = j.contains("name") ? as_string(j["name"], where, "name") : file.stem().string();
  if (s.name.empty() || s.name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") !=
                            std::string::npos)
    throw Error(where + ": 'name' '" + s.name + "' must be non-empty and use only letters, digits, '_', '.', '-'");
  if (j.contains("description")) s.description = as_string(j["description"], where, "description");

  // Profile: inline, or a file (issue 4's `egsde translate --profile` format).
  const json& p = require(j, "profile", where, "the spec");
  json raw = p;
  std::string profile_where = where + " profile";
  s.profile_dir = spec_dir;
  if (p.is_string()) {
    const fs::path pfile = resolve(spec_dir, p.get<std::string>());
    raw = read_json_file(pfile);
    profile_where = "profile " + pfile.string();
    s.profile_dir = pfile.parent_path();
  }
  // The one profile validator, as each run's worker applies it (expand() re-checks every run).
  const Profile base = parse_profile(strip_comments(raw), s.profile_dir, profile_where);
  check_runnable(base, profile_where);
  s.profile = base.canonical;

  if (j.contains("methods")) {
    const json& m = j["methods"];
    if (!m.is_array() || m.empty()) throw Error(where + ": 'methods' must be a non-empty list, e.g. [\"egsde\", \"sdedit\"]");
    s.methods.clear();
    for (const auto& v : m) {
      const Method method = parse_method(as_string(v, where, "methods"), where);
      if (std::find(s.methods.begin(), s.methods.end(), method) != s.methods.end())
        throw Error(where + ": method '" + to_string(method) + "' is listed twice in 'methods'");
      s.methods.push_back(method);
    }
  }

  if (j.contains("grid")) {
    // An object (one product of axes) or a list of them (the union of their products, in order).
    const json& g = j["grid"];
    if (!g.is_object() && !g.is_array())
      throw Error(where + ": 'grid' must be an object {\"args.ls\": [0, 500], ...} or a list of such objects");
    std::vector<std::string> valid;
    for (const auto& k : profile_arg_names())
      if (k != "seed") valid.push_back("args." + k);
    leaf_paths(s.profile["config"], "config", valid);
    const json grids = g.is_object() ? json::array({g}) : g;
    for (const json& one : grids) {
      if (!one.is_object()) throw Error(where + ": each entry of the 'grid' list must be an object of axes");
      Grid axes;
      for (const auto& [key, values] : one.items()) {  // sorted by key (std::map-backed object)
        if (is_comment(key)) continue;
        if (key == "args.seed")
          throw Error(where + ": grid over 'args.seed' is not allowed; use 'repeats' or 'seeds'");
        if (std::find(valid.begin(), valid.end(), key) == valid.end())
          throw Error(where + ": unknown grid key '" + key + "'; did you mean '" + suggest_grid_key(key, valid) +
                      "'? (grid keys are dotted profile paths)");
        if (!values.is_array() || values.empty())
          throw Error(where + ": grid '" + key + "' must be a non-empty list of values");
        axes.push_back({key, std::vector<json>(values.begin(), values.end())});
      }
      s.grids.push_back(std::move(axes));
    }
  }

  const int64_t base_seed = s.profile["args"]["seed"].get<int64_t>();
  int64_t repeats = 1;
  if (j.contains("repeats")) {
    repeats = as_int(j["repeats"], where, "repeats");
    if (repeats < 1) throw Error(where + ": 'repeats' must be >= 1");
  }
  if (j.contains("seeds")) {
    const json& sd = j["seeds"];
    if (!sd.is_array() || sd.empty()) throw Error(where + ": 'seeds' must be a non-empty list of integers");
    for (const auto& v : sd) s.seeds.push_back(as_int(v, where, "seeds"));
    if (j.contains("repeats") && static_cast<int64_t>(s.seeds.size()) != repeats)
      throw Error(where + ": 'repeats' is " + std::to_string(repeats) + " but 'seeds' lists " +
                  std::to_string(s.seeds.size()) + "; drop one of them");
    std::vector<int64_t> sorted = s.seeds;
    std::sort(sorted.begin(), sorted.end());
    if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end())
      throw Error(where + ": 'seeds' has a duplicate; repeats need distinct seeds");
  } else {
    for (int64_t r = 0; r < repeats; ++r) s.seeds.push_back(base_seed + r);
  }

  if (j.contains("rng")) s.rng = parse_field(j, "rng", where, parse_rng_protocol);
  if (j.contains("max_images")) {
    s.max_images = as_int(j["max_images"], where, "max_images");
    if (s.max_images < 0) throw Error(where + ": 'max_images' must be >= 0 (0 = all)");
  }
  if (j.contains("respace")) {
    s.respace = as_int(j["respace"], where, "respace");
    if (s.respace < 0) throw Error(where + ": 'respace' must be >= 0 (0 = the full schedule)");
  }

  if (j.contains("conv")) s.conv = parse_field(j, "conv", where, parse_conv_algo);
  if (j.contains("precision")) s.precision = parse_field(j, "precision", where, parse_precision);

  if (j.contains("evaluation")) {
    const json& e = j["evaluation"];
    if (!e.is_object()) throw Error(where + ": 'evaluation' must be an object");
    const std::string ctx = "'evaluation'";
    check_keys(e, {"task", "protocol", "source", "target", "inception", "classifier", "classifier_config", "target_class"},
               where, ctx);
    Evaluation ev;
    require(e, "task", where, ctx);
    ev.task = parse_field(e, "task", where, metrics::parse_task);
    if (e.contains("classifier") == e.contains("inception"))
      throw Error(where + ": 'evaluation' needs exactly one of 'inception' (FID) and 'classifier' (the demo's FD-FMNIST)");
    if (e.contains("classifier")) {
      ev.classifier = resolve(spec_dir, as_string(e["classifier"], where, "classifier"));
      ev.classifier_config = e.value("classifier_config", json::object());
      if (!ev.classifier_config.is_object()) throw Error(where + ": 'classifier_config' must be an object");
      if (e.contains("protocol"))
        throw Error(where + ": 'protocol' is for FID; the classifier takes the images at their native size");
      ev.protocol = FidProtocol::OfficialAfhq;  // ToTensor at the native size
      if (e.contains("target_class"))
        ev.target_class = fashion_mnist_class(as_string(e["target_class"], where, "target_class"));
    } else if (e.contains("target_class") || e.contains("classifier_config")) {
      throw Error(where + ": 'target_class' and 'classifier_config' need a 'classifier'");
    } else if (e.contains("protocol")) {
      ev.protocol = parse_field(e, "protocol", where, metrics::parse_fid_protocol);
    } else if (ev.task == Task::Custom) {
      throw Error(where + ": 'evaluation' of task custom needs a 'protocol' (official-afhq, official-celeba or clean)");
    } else {
      ev.protocol = metrics::default_protocol(ev.task);
    }
    ev.source = e.contains("source")
                    ? resolve(spec_dir, as_string(e["source"], where, "source"))
                    : base.args.testdata_path.front();
    ev.target = resolve(spec_dir, as_string(require(e, "target", where, ctx), where, "target"));
    if (e.contains("inception")) ev.inception = resolve(spec_dir, as_string(e["inception"], where, "inception"));
    s.evaluation = ev;
  }
  return s;
}

Spec read_spec(const fs::path& file) { return parse_spec(read_json_file(file), file); }

}  // namespace egsde::runner
