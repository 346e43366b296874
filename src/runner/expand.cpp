#include "runner/expand.h"

#include <algorithm>

#include <cmath>
#include <set>

#include "core/digest.h"
#include "core/error.h"
#include "core/suggest.h"

namespace egsde::runner {
using nlohmann::json;

void set_dotted(json& j, const std::string& key, const json& value) {
  json* node = &j;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = key.find('.', start);
    const std::string part = key.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (dot == std::string::npos) {
      (*node)[part] = value;
      return;
    }
    node = &(*node)[part];
    start = dot + 1;
  }
}

void apply_method(json& profile, Method method) {
  json& args = profile["args"];
  switch (method) {
    case Method::Egsde:
      break;
    case Method::EgsdeDagger: {
      const double steps = profile["config"]["diffusion"]["num_diffusion_timesteps"].get<double>();
      args["ls"] = 700.0;
      args["li"] = 0.5;
      args["t"] = static_cast<int64_t>(std::llround(0.6 * steps));
      break;
    }
    case Method::Sdedit:
    case Method::Ilvr:
      args["ls"] = 0.0;
      args["li"] = 0.0;
      break;
  }
}

namespace {

std::string value_text(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

// Grid points in lexicographic order of the axes (the last axis varies fastest).
std::vector<json> grid_points(const Grid& grid) {
  std::vector<json> points{json::object()};
  for (const auto& axis : grid) {
    std::vector<json> next;
    for (const auto& p : points)
      for (const auto& v : axis.values) {
        json q = p;
        q[axis.key] = v;
        next.push_back(q);
      }
    points = std::move(next);
  }
  return points;
}

}  // namespace

Expansion expand(const Spec& spec) {
  const std::string where = spec.file.empty() ? std::string("spec") : spec.file.string();
  Expansion out;
  std::set<std::string> seen;
  std::vector<json> points;  // each grid's points in order; a point two grids share counts once
  for (const Grid& g : spec.grids)
    for (auto& p : grid_points(g))
      if (std::find(points.begin(), points.end(), p) == points.end()) points.push_back(std::move(p));
  if (spec.grids.empty()) points.push_back(json::object());
  for (const Method method : spec.methods) {
    for (const auto& point : points) {
      json base = spec.profile;
      std::string label = to_string(method);
      for (const auto& [key, value] : point.items()) {
        set_dotted(base, key, value);
        label += " " + key + "=" + value_text(value);
      }
      for (std::size_t r = 0; r < spec.seeds.size(); ++r) {
        json profile = base;
        profile["args"]["seed"] = spec.seeds[r];
        apply_method(profile, method);
        // Grid values must satisfy the same checks as the profile itself.
        const std::string run_where = where + " (run " + label + ")";
        Profile parsed = parse_profile(profile, spec.profile_dir, run_where);
        check_runnable(parsed, run_where);
        profile = parsed.canonical;
        Run run;
        run.method = method;
        run.repeat = static_cast<int64_t>(r);
        run.seed = spec.seeds[r];
        run.grid_point = point;
        run.profile = profile;
        run.config = {{"method", to_string(method)}, {"profile", profile}, {"repeat", run.repeat},
                      {"rng", to_string(spec.rng)}};
        // ILVR's algorithm became the ILVR code's (samplers/ilvr.h): a new id, so no output root
        // resumes or tables records of the earlier variant under it
        if (method == Method::Ilvr) run.config["sampler"] = "ilvr-code";
        if (spec.respace > 0) run.config["respace"] = spec.respace;  // absent when 0: ids stay stable
        if (spec.precision != Precision::Fp32) run.config["precision"] = egsde::to_string(spec.precision);  // likewise
        if (spec.conv != ConvAlgo::Direct) run.config["conv"] = egsde::to_string(spec.conv);  // likewise
        run.id = hex_digits(fnv1a64(run.config.dump()), 12);
        run.label = label + " seed=" + std::to_string(run.seed);
        parsed.source = "of run " + run.id + " (" + run.label + ")";  // names the run in the sampler's errors
        run.resolved = std::move(parsed);
        run.respace = spec.respace;
        run.precision = spec.precision;
        run.conv = spec.conv;
        if (!seen.insert(run.id).second) {
          ++out.collapsed;
          continue;
        }
        out.runs.push_back(std::move(run));
      }
    }
  }
  return out;
}

const Run& find_run(const std::vector<Run>& runs, const std::string& key) {
  const Run* match = nullptr;
  int matches = 0;
  std::vector<std::string> ids;
  for (const auto& run : runs) {
    ids.push_back(run.id);
    if (run.id == key) return run;
    if (!key.empty() && run.id.compare(0, key.size(), key) == 0) {
      match = &run;
      ++matches;
    }
  }
  if (matches == 1) return *match;
  if (matches > 1) throw Error("run '" + key + "' is ambiguous: " + std::to_string(matches) + " run ids start with it; give more digits");
  throw Error("no run '" + key + "' in this spec; did you mean '" + nearest(key, ids) + "'? (`egsde run SPEC --dry-run` lists them)");
}

}  // namespace egsde::runner
