#include "report/aggregate.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.h"
#include "core/json_io.h"
#include "runner/execute.h"
#include "runner/expand.h"

namespace egsde::report {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const std::map<std::string, MetricInfo>& known_metrics() {
  static const std::map<std::string, MetricInfo> kKnown = {
      {"fid", {"fid", "FID", Better::Lower, 2}},       {"kid", {"kid", "KID", Better::Lower, 4}},
      {"fd", {"fd", "FD-FMNIST", Better::Lower, 2}},         {"l2", {"l2", "L2", Better::Lower, 2}},
      {"mse", {"mse", "MSE", Better::Lower, 4}},       {"psnr", {"psnr", "PSNR", Better::Higher, 2}},
      {"ssim", {"ssim", "SSIM", Better::Higher, 3}},   {"ms_ssim", {"ms_ssim", "MS-SSIM", Better::Higher, 3}},
      {"accuracy", {"accuracy", "Acc.", Better::Higher, 3}}};
  return kKnown;
}

}  // namespace

MetricInfo metric_info(const std::string& name) {
  const auto it = known_metrics().find(name);
  if (it != known_metrics().end()) return it->second;
  return {name, name, Better::Lower, 4};
}

bool is_known_metric(const std::string& name) { return known_metrics().count(name) > 0; }

const std::vector<std::string>& core_metrics() {
  static const std::vector<std::string> kCore = {"fid", "l2", "mse", "psnr", "ssim"};
  return kCore;
}

std::string method_title(runner::Method m) {
  switch (m) {
    case runner::Method::Egsde: return "EGSDE";
    case runner::Method::EgsdeDagger: return "EGSDE\u2020";
    case runner::Method::Sdedit: return "SDEdit";
    case runner::Method::Ilvr: return "ILVR";
  }
  return "?";
}

json effective_grid(const json& grid_point, const json& profile) {
  json out = json::object();
  for (const auto& [key, value] : grid_point.items()) {
    const json* node = &profile;
    std::size_t start = 0;
    bool found = true;
    while (found) {
      const std::size_t dot = key.find('.', start);
      const std::string part = key.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
      if (!node->is_object() || !node->contains(part)) found = false;
      else node = &(*node)[part];
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    json v = found ? *node : value;
    // 500 and 500.0 are the same grid point.
    if (v.is_number_float() && std::floor(v.get<double>()) == v.get<double>() && std::abs(v.get<double>()) < 1e15)
      v = static_cast<int64_t>(v.get<double>());
    out[key] = v;
  }
  return out;
}

std::string grid_text(const json& grid) {
  std::string out;
  for (const auto& [key, value] : grid.items())
    out += (out.empty() ? "" : " ") + key + "=" + (value.is_string() ? value.get<std::string>() : value.dump());
  return out;
}

std::optional<RunMetrics> read_metrics(const fs::path& run_dir, const std::string& run_id) {
  const fs::path file = run_dir / "metrics.json";
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) return std::nullopt;
  const std::string redo = "delete it and rerun `egsde run` on this output with --resume to evaluate run " + run_id + " again";
  const json j = read_json_file(file, redo);
  if (!j.is_object()) throw Error(file.string() + " is not a JSON object; " + redo);
  if (j.contains("run_id") && j["run_id"].is_string() && j["run_id"].get<std::string>() != run_id)
    throw Error(file.string() + " belongs to run " + j["run_id"].get<std::string>() + ", not " + run_id +
                "; it was copied into the wrong directory: delete it and rerun the evaluation");
  RunMetrics out;
  out.protocol = j.contains("protocol") && j["protocol"].is_string() ? j["protocol"].get<std::string>() : "";
  for (const auto& [key, value] : j.items()) {
    // bookkeeping, not metrics (written by the runner's evaluation)
    if (key == "run_id" || key == "images" || key == "n_images" || key == "n_sources" || key == "seconds" ||
        key.empty() || key[0] == '_')
      continue;
    if (value.is_number() && std::isfinite(value.get<double>())) {
      out.values[key] = value.get<double>();
    } else if (is_known_metric(key) && value.is_null()) {
      out.notes.push_back(file.string() + ": '" + key + "' is null (not finite when evaluated); shown as missing");
    } else if (is_known_metric(key)) {
      throw Error(file.string() + ": metric '" + key + "' is " + value.dump() + ", not a number; " + redo);
    }
  }
  return out;
}

namespace {

void load_metrics(RunResult& r, const fs::path& dir) {
  if (auto m = read_metrics(dir, r.id)) {
    r.has_metrics = true;
    r.metrics = std::move(m->values);
    r.protocol = std::move(m->protocol);
    r.notes = std::move(m->notes);
  }
}

std::string join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : sep) + s;
  return out;
}

std::string grid_or_none(const json& grid) { return grid.empty() ? "none" : grid_text(grid); }

// "1 run lacks" / "2 runs lack"
std::string runs_verb(std::size_t n, const std::string& one, const std::string& many) {
  return std::to_string(n) + (n == 1 ? " run " + one : " runs " + many);
}

}  // namespace

SpecRuns runs_from_spec(const runner::Spec& spec, const fs::path& root) {
  SpecRuns out;
  std::vector<std::string> changed_runs, lacking_runs, other_runs;
  std::set<std::string> expected;
  for (const auto& run : runner::expand(spec).runs) {
    expected.insert(run.id);
    RunResult r;
    r.id = run.id;
    const fs::path dir = root / run.id;
    load_metrics(r, dir);
    const std::optional<RecordedRun> rec = read_run_record(dir);
    r.found = r.has_metrics || rec;
    const bool own = rec && rec->views.count(spec.name);  // this spec ran it
    const SpecView view = own ? rec->views.at(spec.name) : SpecView{};
    const bool spec_default = runner::is_spec_setting(spec, run);
    // What ran, from its record; the spec's current expansion where the record has nothing.
    r.method = rec && rec->method ? *rec->method : run.method;
    r.repeat = rec && rec->repeat ? *rec->repeat : run.repeat;
    r.label = view.label.value_or(run.label);
    r.is_default = view.is_default.value_or(spec_default);
    r.grid = effective_grid(view.grid.value_or(run.grid_point), rec && rec->profile ? *rec->profile : run.profile);
    if (rec) r.devices = rec->devices;

    std::vector<std::string> lacks, changed;
    if (r.found && !rec) lacks.push_back("no run.json, only metrics.json");
    if (rec) {
      if (!rec->method) lacks.push_back("method");
      if (!rec->repeat) lacks.push_back("repeat");
      if (!rec->profile) lacks.push_back("config.profile");
      if (own && !view.label) lacks.push_back("label");
      if (own && !view.grid) lacks.push_back("grid");
      if (own && !view.is_default) lacks.push_back("default");
      if (!own) other_runs.push_back(run.id + " (by " + (rec->spec.empty() ? "an unnamed spec" : "spec " + rec->spec) + ")");
      if (rec->method && *rec->method != run.method)
        changed.push_back("method " + runner::to_string(*rec->method) + " (now " + runner::to_string(run.method) + ")");
      if (rec->repeat && *rec->repeat != run.repeat)
        changed.push_back("repeat " + std::to_string(*rec->repeat) + " (now " + std::to_string(run.repeat) + ")");
      if (view.label && *view.label != run.label)
        changed.push_back("label '" + *view.label + "' (now '" + run.label + "')");
      else if (view.grid && *view.grid != run.grid_point)  // a changed grid changes the label: said once
        changed.push_back("grid " + grid_or_none(*view.grid) + " (now " + grid_or_none(run.grid_point) + ")");
      if (view.is_default && *view.is_default != spec_default)
        changed.push_back(*view.is_default ? "the spec's own setting (now not)" : "not the spec's own setting (now it is)");
    }
    if (!lacks.empty()) lacking_runs.push_back(run.id + " (" + join(lacks, ", ") + ")");
    if (!changed.empty()) changed_runs.push_back(run.id + ": " + join(changed, ", "));
    out.runs.push_back(std::move(r));
  }

  // Folders this spec ran that it no longer expands to (edited since, or its expansion changed).
  std::error_code ec;
  std::vector<fs::path> dirs;
  for (const auto& e : fs::directory_iterator(root, ec))
    if (e.is_directory(ec) && !expected.count(e.path().filename().string())) dirs.push_back(e.path());
  std::sort(dirs.begin(), dirs.end());
  for (const auto& dir : dirs) {
    std::optional<RecordedRun> rec;
    try {
      rec = read_run_record(dir);
    } catch (const Error&) {
      continue;  // a damaged folder this spec does not expect is not this table's
    }
    if (!rec || !rec->views.count(spec.name)) continue;
    out.strays.push_back(rec->id + " (" + rec->views.at(spec.name).label.value_or("no label") + ")");
  }

  const std::string file = spec.file.empty() ? "SPEC" : spec.file.string();
  const std::string resume = "`egsde run " + file + " --output " + root.string() + " --resume`";
  if (!changed_runs.empty())
    out.notes.push_back(runs_verb(changed_runs.size(), "ran", "ran") + " otherwise than spec " + spec.name +
                        " now expands them (edited since they ran?): " + join(changed_runs, "; ") +
                        "; the table shows them as they ran: restore the spec, or adopt the edit with " + resume +
                        " (the same runs: nothing is recomputed, their records take the spec's new view)");
  if (!lacking_runs.empty())
    out.notes.push_back(runs_verb(lacking_runs.size(), "lacks fields in its record", "lack fields in their records") +
                        " (written by an older egsde): " +
                        join(lacking_runs, "; ") + "; those are taken from spec " + spec.name +
                        " as it is now: " + resume + " with the spec as it ran records them (nothing is recomputed)");
  if (!other_runs.empty())
    out.notes.push_back(runs_verb(other_runs.size(), "was", "were") + " not run by spec " + spec.name +
                        " but by another spec that expands to the same config: " + join(other_runs, "; ") +
                        "; their label, grid and default flag are this spec's current expansion (" + resume +
                        " records this spec's view; nothing is recomputed)");
  if (!out.strays.empty())
    out.notes.push_back(std::to_string(out.strays.size()) + (out.strays.size() == 1 ? " run folder under " : " run folders under ") +
                        root.string() + (out.strays.size() == 1 ? " was" : " were") + " run by spec " +
                        spec.name + " but it no longer expands to them (edited since?): " + join(out.strays, ", ") +
                        "; they are not in the table: restore the spec to include them, or move them out of " +
                        root.string());
  return out;
}

std::vector<RunResult> runs_from_dir(const fs::path& root) {
  std::error_code ec;
  if (!fs::is_directory(root, ec))
    throw Error("runs directory " + root.string() + " does not exist; pass the --output of `egsde run`");
  std::vector<fs::path> dirs;
  for (const auto& e : fs::directory_iterator(root, ec))
    if (e.is_directory(ec)) dirs.push_back(e.path());
  std::sort(dirs.begin(), dirs.end());
  std::vector<RunResult> out;
  for (const auto& dir : dirs) {
    const std::optional<RecordedRun> rec = read_run_record(dir);
    if (!rec) continue;
    if (!rec->method)
      throw Error(rec->file.string() + " is not a run record (no method); remove it or rerun `egsde run`");
    // No spec to ask: the view of the spec that wrote the record last.
    RunResult r;
    r.id = rec->id;
    r.label = rec->last.label.value_or(r.id);
    r.method = *rec->method;
    r.repeat = rec->repeat.value_or(0);
    const json grid = rec->last.grid.value_or(json::object());
    r.grid = effective_grid(grid, rec->profile.value_or(json::object()));
    r.is_default = rec->last.is_default.value_or(grid.empty());  // older records: a run without a grid
    r.devices = rec->devices;
    r.found = true;
    load_metrics(r, dir);
    out.push_back(std::move(r));
  }
  std::stable_sort(out.begin(), out.end(), [](const RunResult& a, const RunResult& b) {
    if (a.method != b.method) return a.method < b.method;
    if (a.grid != b.grid) return a.grid < b.grid;
    return a.repeat < b.repeat;
  });
  return out;
}

Stat summarize(const std::vector<double>& values, std::size_t expected) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  Stat s;
  s.n = values.size();
  s.missing = expected > s.n ? expected - s.n : 0;
  s.mean = kNaN;
  s.std = kNaN;
  if (s.n == 0) return s;
  double sum = 0;
  for (double v : values) sum += v;
  s.mean = sum / static_cast<double>(s.n);
  if (s.n < 2) return s;
  double ss = 0;
  for (double v : values) ss += (v - s.mean) * (v - s.mean);
  s.std = std::sqrt(ss / static_cast<double>(s.n - 1));
  return s;
}

Aggregate aggregate(const std::vector<RunResult>& runs) {
  Aggregate agg;
  std::set<std::string> extras;
  std::vector<std::vector<const RunResult*>> members;
  for (const auto& r : runs) {
    ++agg.runs;
    if (r.has_metrics) ++agg.runs_with_metrics;
    if (r.has_metrics && !r.protocol.empty()) agg.protocols.insert(r.protocol);
    agg.devices.insert(r.devices.begin(), r.devices.end());
    for (const auto& [k, v] : r.metrics)
      if (std::find(core_metrics().begin(), core_metrics().end(), k) == core_metrics().end()) extras.insert(k);
    auto it = std::find_if(agg.groups.begin(), agg.groups.end(),
                           [&](const Group& g) { return g.method == r.method && g.grid == r.grid; });
    if (it == agg.groups.end()) {
      Group g;
      g.method = r.method;
      g.grid = r.grid;
      agg.groups.push_back(std::move(g));
      members.emplace_back();
      it = agg.groups.end() - 1;
    }
    const auto gi = static_cast<std::size_t>(it - agg.groups.begin());
    it->is_default = it->is_default || r.is_default;
    it->run_ids.push_back(r.id);
    if (r.has_metrics) ++it->with_metrics;
    members[gi].push_back(&r);
  }
  agg.metrics = core_metrics();
  // The demo's runs have a Fréchet distance in another feature space ("fd", FD-FMNIST) and no FID:
  // it takes FID's place (first column, the realism axis of the plot).
  if (extras.count("fd") && !std::any_of(runs.begin(), runs.end(), [](const RunResult& r) { return r.metrics.count("fid"); })) {
    agg.metrics.front() = "fd";
    extras.erase("fd");
  }
  agg.metrics.insert(agg.metrics.end(), extras.begin(), extras.end());
  for (std::size_t gi = 0; gi < agg.groups.size(); ++gi) {
    for (const auto& metric : agg.metrics) {
      std::vector<double> values;
      for (const RunResult* r : members[gi]) {
        const auto v = r->metrics.find(metric);
        if (v != r->metrics.end()) values.push_back(v->second);
      }
      agg.groups[gi].stats[metric] = summarize(values, members[gi].size());
    }
  }
  return agg;
}

namespace {

bool is_note(const std::string& key) { return !key.empty() && key[0] == '_'; }

// Every entry of a reference file has the shape find() reads, so a file of another schema (a
// baseline, a spec, a metrics.json) is refused instead of matching nothing.
void validate_reference(const json& j, const fs::path& file) {
  const std::string schema = "; expected {task: {\"methods\": {method: {metric: {\"mean\", \"std\"}}}}} as in "
                             "experiments/paper/reference.json";
  const std::string not_ref = file.string() + " is not a paper reference";
  const auto bad = [&](const std::string& path, const std::string& problem) {
    return Error(not_ref + ": '" + path + "' " + problem + schema);
  };
  if (!j.is_object()) throw Error(not_ref + " (not a JSON object)" + schema);
  std::size_t tasks = 0;
  for (const auto& [task, t] : j.items()) {
    if (is_note(task)) continue;
    if (!t.is_object() || !t.contains("methods")) throw bad(task, "is not a task object with \"methods\"");
    ++tasks;
    for (const auto& [k, v] : t.items())
      if (!is_note(k) && k != "methods" && k != "others")
        throw bad(task + "." + k, "is no key of a task (\"methods\", \"others\" or \"_\" notes)");
    // "methods": egsde's method names; "others": other works of the same table, any name.
    for (const char* group : {"methods", "others"}) {
      if (!t.contains(group)) continue;
      if (!t[group].is_object()) throw bad(task + "." + group, "is not an object");
      for (const auto& [method, m] : t[group].items()) {
        if (is_note(method)) continue;
        const std::string mpath = task + "." + group + "." + method;
        if (std::string(group) == "methods") runner::parse_method(method, not_ref + " (at '" + mpath + "')");
        if (m.is_null()) continue;
        if (!m.is_object()) throw bad(mpath, "is not an object of metrics");
        for (const auto& [metric, v] : m.items()) {
          if (is_note(metric) || v.is_null() || v.is_number()) continue;
          const auto number_or_null = [&](const char* k) { return !v.contains(k) || v[k].is_null() || v[k].is_number(); };
          if (!v.is_object() || !v.contains("mean") || !number_or_null("mean") || !number_or_null("std"))
            throw bad(mpath + "." + metric, "is " + v.dump() + ", not a number, null or {\"mean\": number, \"std\": number}");
        }
      }
    }
  }
  if (tasks == 0) throw Error(not_ref + " (it has no task)" + schema);
}

}  // namespace

PaperReference PaperReference::read(const fs::path& file) {
  PaperReference ref;
  ref.json_ = read_json_file(file, "fix it, pass another --reference or --no-reference");
  ref.file_ = file;
  validate_reference(ref.json_, file);
  return ref;
}

std::vector<std::string> PaperReference::tasks() const {
  std::vector<std::string> out;
  if (json_.is_object())
    for (const auto& [task, t] : json_.items())
      if (!is_note(task)) out.push_back(task);
  return out;
}

std::optional<Reference> PaperReference::find(const std::string& task, runner::Method method,
                                              const std::string& metric) const {
  if (!json_.is_object() || !json_.contains(task)) return std::nullopt;
  const json& t = json_[task];
  if (!t.is_object() || !t.contains("methods") || !t["methods"].is_object()) return std::nullopt;
  const std::string m = runner::to_string(method);
  if (!t["methods"].contains(m)) return std::nullopt;
  const json& mj = t["methods"][m];
  if (!mj.is_object() || !mj.contains(metric)) return std::nullopt;
  const json& v = mj[metric];
  Reference r;
  if (v.is_number()) {
    r.mean = v.get<double>();
    return r;
  }
  if (!v.is_object() || !v.contains("mean") || !v["mean"].is_number()) return std::nullopt;
  r.mean = v["mean"].get<double>();
  if (v.contains("std") && v["std"].is_number()) r.std = v["std"].get<double>();
  return r;
}

void attach_reference(Aggregate& agg, const PaperReference& ref, const std::string& task) {
  if (ref.empty()) return;
  for (auto& g : agg.groups) {
    if (!g.is_default) continue;
    for (const auto& metric : agg.metrics)
      if (auto r = ref.find(task, g.method, metric)) g.paper[metric] = *r;
  }
}

}  // namespace egsde::report
