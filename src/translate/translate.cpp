#include "translate/translate.h"

#include <iostream>
#include <map>
#include <optional>
#include <set>

#include "core/error.h"
#include "core/image_io.h"
#include "core/image_list.h"
#include "core/json_io.h"
#include "core/npy.h"
#include "core/provenance.h"
#include "core/suggest.h"
#include "diffusion/respace.h"
#include "guidance/energies.h"
#include "models/eps_model.h"
#include "models/network.h"
#include "samplers/egsde.h"
#include "samplers/ilvr.h"
#include "samplers/sdedit.h"
#include "translate/progress.h"

namespace egsde {
namespace {

namespace fs = std::filesystem;

template <typename E>
E parse_named(const std::string& s, const std::vector<std::pair<std::string, E>>& names, const std::string& what) {
  std::vector<std::string> valid;
  for (const auto& [n, e] : names) {
    if (n == s) return e;
    valid.push_back(n);
  }
  throw Error("unknown " + what + " '" + s + "'; did you mean '" + nearest(s, valid) + "'?");
}
template <typename E>
std::string name_of(E e, const std::vector<std::pair<std::string, E>>& names) {
  for (const auto& [n, v] : names)
    if (v == e) return n;
  return "?";
}
const std::vector<std::pair<std::string, Method>> kMethods = {
    {"egsde", Method::Egsde}, {"sdedit", Method::Sdedit}, {"ilvr", Method::Ilvr}};
const std::vector<std::pair<std::string, OutputFormat>> kFormats = {
    {"same", OutputFormat::Same}, {"png", OutputFormat::Png}, {"jpg", OutputFormat::Jpg}};
const std::vector<std::pair<std::string, RngProtocol>> kRng = {{"official", RngProtocol::Official},
                                                               {"per-sample", RngProtocol::PerSample}};

// One source image and its outputs.
struct Job {
  SourceImage src;
  std::string out_name;  // image file name in every <repeat>/ folder
  std::string raw_name;  // <stem>.npy
  bool done = false;
};

bool outputs_exist(const fs::path& out, const Job& j, int64_t repeats, bool save_raw) {
  for (int64_t r = 0; r < repeats; ++r) {
    const fs::path d = out / std::to_string(r);
    if (!fs::exists(d / j.out_name)) return false;
    if (save_raw && !fs::exists(d / j.raw_name)) return false;
  }
  return true;
}

std::vector<Job> plan_jobs(const std::vector<SourceImage>& sources, const TranslateOptions& o, int64_t repeats) {
  std::vector<Job> jobs;
  std::map<std::string, std::string> seen;  // output stem → source path
  for (const auto& s : sources) {
    Job j{s, output_name(s.name, o.format), fs::path(s.name).stem().string() + ".npy"};
    const std::string stem = fs::path(j.out_name).stem().string();
    if (auto it = seen.find(stem); it != seen.end())
      throw Error("sources " + it->second + " and " + s.path.string() + " would both write outputs named '" + stem +
                  ".*'; rename one of them");
    seen[stem] = s.path.string();
    j.done = !o.overwrite && outputs_exist(o.output, j, repeats, o.save_raw);
    jobs.push_back(std::move(j));
  }
  return jobs;
}

// The source batch [n, 3, S, S] in [−1, 1], as the official DataLoader stacks it.
torch::Tensor load_batch(const std::vector<const Job*>& batch, int64_t image_size) {
  std::vector<torch::Tensor> xs;
  for (const Job* j : batch) {
    std::string note;
    const auto rgb = read_image_rgb(j->src.path, &note);
    if (!note.empty()) std::cerr << "egsde: warning: " << j->src.path.string() << ": " << note << "\n";
    auto x = source_tensor(rgb, image_size);
    if (x.size(1) != image_size || x.size(2) != image_size)
      throw Error("image " + j->src.path.string() + " is " + std::to_string(rgb.size(1)) + "x" +
                  std::to_string(rgb.size(0)) + " (W x H); resized to a shorter side of " + std::to_string(image_size) +
                  " it is not square, which the networks need; crop it first");
    xs.push_back(x);
  }
  return torch::stack(xs);
}

// The noise a batch of shape `like` consumes: per repeat e, one z per step, and for ILVR one
// reference noise per refined step (i > range_t = 0).
int64_t draws_per_batch(Method m, int64_t steps, int64_t repeats) {
  const int64_t per_repeat = 1 + steps + (m == Method::Ilvr ? steps - 1 : 0);
  return repeats * per_repeat;
}

struct Sampler {
  Method method;
  Schedule schedule;
  int64_t start = 0;  // steps from the start point to 0 (args.t, or its respaced count)
  EpsFn eps;
  std::vector<WeightedEnergy> energies;
  std::optional<LowPass> lowpass;  // ILVR
  int64_t repeats = 1;

  std::vector<torch::Tensor> operator()(const torch::Tensor& x0, NoiseSource& noise, const StepObserver& obs) const {
    if (method == Method::Ilvr) {
      IlvrConfig c;
      c.t = start;
      c.sample_step = repeats;
      return ilvr_sample(x0, eps, *lowpass, schedule, c, noise, obs);
    }
    EgsdeConfig c;
    c.t = start;
    c.sample_step = repeats;
    if (energies.empty()) return sdedit_sample(x0, eps, schedule, c, noise, obs);
    return egsde_sample(x0, eps, energies, schedule, c, noise, obs);
  }
};

nlohmann::json settings_of(const Profile& p, const TranslateOptions& o, int64_t batch_size,
                           const std::vector<fs::path>& folders) {
  nlohmann::json s = {{"profile", to_json(p)},
                      {"method", to_string(o.method)},
                      {"rng", to_string(o.rng)},
                      {"respace", o.respace},
                      {"format", to_string(o.format)}};
  nlohmann::json dirs = nlohmann::json::array();
  for (const auto& d : folders) dirs.push_back(fs::absolute(d).lexically_normal().string());
  s["profile"]["args"]["testdata_path"] = dirs;
  // With the official protocol, noise depends on the batching and on which images exist.
  if (o.rng == RngProtocol::Official) {
    s["batch_size"] = batch_size;
    s["limit"] = o.limit;
  }
  return s;
}

}  // namespace

Method parse_method(const std::string& s) { return parse_named(s, kMethods, "method"); }
OutputFormat parse_output_format(const std::string& s) { return parse_named(s, kFormats, "format"); }
RngProtocol parse_rng_protocol(const std::string& s) { return parse_named(s, kRng, "rng protocol"); }
std::string to_string(Method m) { return name_of(m, kMethods); }
std::string to_string(OutputFormat f) { return name_of(f, kFormats); }
std::string to_string(RngProtocol p) { return name_of(p, kRng); }

std::string output_name(const std::string& source_name, OutputFormat format) {
  if (format == OutputFormat::Same) return source_name;
  return fs::path(source_name).stem().string() + (format == OutputFormat::Png ? ".png" : ".jpg");
}

TranslateSummary translate(const Profile& profile, const TranslateOptions& o) {
  const ProfileArgs& a = profile.args;
  const std::string what = "profile " + profile.source.string();
  const int64_t batch_size = o.batch_size > 0 ? o.batch_size : a.batch_size;
  const int64_t repeats = a.sample_step;

  // 1. sources and what is left to do
  const auto folders = o.source.empty() ? a.testdata_path : o.source;
  auto sources = list_source_images(folders);
  if (o.limit > 0 && static_cast<int64_t>(sources.size()) > o.limit) sources.resize(static_cast<size_t>(o.limit));
  fs::create_directories(o.output);
  const fs::path record_path = o.output / "translate.json";
  const nlohmann::json settings = settings_of(profile, o, batch_size, folders);
  if (!o.overwrite && fs::exists(record_path)) {
    const auto old = read_json_file(record_path);
    if (old.value("settings", nlohmann::json()) != settings)
      throw Error("output " + o.output.string() +
                  " holds a translation with other settings (see its translate.json); use another --output or "
                  "--overwrite");
  }
  std::vector<Job> jobs = plan_jobs(sources, o, repeats);
  TranslateSummary sum;
  sum.sources = static_cast<int64_t>(jobs.size());
  for (const auto& j : jobs) sum.skipped += j.done;

  // 2. networks, schedule, energies (before any output is written)
  Sampler sampler;
  sampler.method = o.method;
  sampler.repeats = repeats;
  EpsModel eps = load_eps_model(a.diffusionmodel, profile.config, what, a.ckpt);
  if (eps.image_size > 0 && eps.image_size != profile.image_size)
    throw Error(what + ": the score model is built for image_size " + std::to_string(eps.image_size) +
                " but data.image_size is " + std::to_string(profile.image_size));
  eps.module->to(o.device);
  sampler.eps = eps.eps;
  std::optional<Network> dse;
  if (!a.dsepath.empty() && profile.config.contains("dse")) {
    dse = load_network(NetworkKind::AdmDse, profile.config, what, a.dsepath, DsePhase::Test);
    dse->module->to(o.device);
    for (auto& p : dse->module->parameters()) p.set_requires_grad(false);
  }
  const double ls = o.method == Method::Egsde ? a.ls : 0.0, li = o.method == Method::Egsde ? a.li : 0.0;
  const bool per_image = o.rng == RngProtocol::PerSample;  // batch-invariant low-pass
  if (ls != 0) {
    if (!dse) throw Error(what + ": ls = " + std::to_string(ls) + " needs the DSE (args.dsepath and config.dse)");
    auto net = *dse;
    sampler.energies.push_back({"realism (s1=" + to_string(a.s1) + ")", ls,
                                realism_energy([net](const torch::Tensor& x, const torch::Tensor& t) { return net.forward(x, t); },
                                               a.s1)});
  }
  if (li != 0)
    sampler.energies.push_back({"faithful (s2=" + to_string(a.s2) + ")", li,
                                lowpass_energy(make_lowpass(profile.image_size, a.down_N, per_image), a.s2)});
  if (o.method == Method::Ilvr) sampler.lowpass = make_lowpass(profile.image_size, a.down_N, per_image);
  sampler.schedule = make_schedule(profile.schedule);
  sampler.start = a.t;
  if (o.respace > 0) {
    sampler.schedule = respace(sampler.schedule, space_timesteps(sampler.schedule.num_timesteps(), std::to_string(o.respace)));
    sampler.start = respaced_start(sampler.schedule, a.t);
  }

  // 3. noise: the official runner's generator (seed, then the networks' default init draws —
  //    score model first, then the DSE — then the DataLoader's seed), or one per image.
  std::optional<OfficialNoise> official;
  if (o.rng == RngProtocol::Official) {
    auto params = parameter_shapes(*eps.module);
    auto draws = default_init_draws(params);
    if (dse) {
      const auto d = default_init_draws(parameter_shapes(*dse->module));
      draws.insert(draws.end(), d.begin(), d.end());
    }
    official = OfficialNoise::for_runner(a.seed, draws);
  }

  // 4. batches: official = the runner's batches over all sources (finished batches only advance
  //    the generator); per-sample = batches of the unfinished images.
  std::vector<std::vector<const Job*>> batches;
  {
    std::vector<const Job*> cur;
    for (const auto& j : jobs) {
      if (o.rng == RngProtocol::PerSample && j.done) continue;
      cur.push_back(&j);
      if (static_cast<int64_t>(cur.size()) == batch_size) batches.push_back(std::move(cur)), cur.clear();
    }
    if (!cur.empty()) batches.push_back(std::move(cur));
  }
  auto all_done = [](const std::vector<const Job*>& b) {
    for (const Job* j : b)
      if (!j->done) return false;
    return true;
  };
  int64_t pending_batches = 0;
  for (const auto& b : batches) pending_batches += !all_done(b);

  nlohmann::json record = {{"command", "translate"},
                           {"settings", settings},
                           {"profile_file", profile.source.string()},
                           {"batch_size", batch_size},
                           {"device", o.device.str()},
                           {"save_raw", o.save_raw},
                           {"layout", "<repeat>/<source name> (+ <repeat>/<stem>.npy with save_raw)"},
                           {"sources", sum.sources},
                           {"status", "running"},
                           {"provenance", provenance()}};
  write_json_file(record_path, record);

  Progress progress(sum.sources - sum.skipped, pending_batches * repeats * sampler.start, o.quiet);
  for (int64_t r = 0; r < repeats; ++r) fs::create_directories(o.output / std::to_string(r));
  for (const auto& batch : batches) {
    const int64_t n = static_cast<int64_t>(batch.size());
    const auto like = torch::empty({n, 3, profile.image_size, profile.image_size});
    if (all_done(batch)) {  // official protocol only: keep the generator where the runner has it
      for (int64_t k = 0; k < draws_per_batch(o.method, sampler.start, repeats); ++k) official->randn_like(like);
      continue;
    }
    const auto x0 = load_batch(batch, profile.image_size).to(o.device);
    std::vector<std::string> names;
    for (const Job* j : batch) names.push_back(j->src.name);
    // per-sample: one generator per image and repeat; the sampler's repeats draw in sequence
    // from it, so seed it with repeat 0 (the repeat index of the experiment, not of sample_step).
    std::optional<PerSampleNoise> per_sample;
    if (!official) per_sample = PerSampleNoise::for_images(a.seed, 0, names);
    NoiseSource& noise = official ? static_cast<NoiseSource&>(*official) : *per_sample;
    const auto results = sampler(x0, noise, [&](int64_t, int64_t, const torch::Tensor&) { progress.step(); });
    for (int64_t r = 0; r < repeats; ++r) {
      const fs::path dir = o.output / std::to_string(r);
      const auto y = results[static_cast<size_t>(r)].to(torch::kCPU, torch::kFloat32);
      for (int64_t b = 0; b < n; ++b) {
        const Job& j = *batch[static_cast<size_t>(b)];
        if (j.done) continue;  // official protocol: a finished image in a re-run batch
        write_image(dir / j.out_name, to_image_u8(y[b]));
        if (o.save_raw) write_npy(dir / j.raw_name, y[b].contiguous());
      }
    }
    int64_t fresh = 0;
    for (const Job* j : batch) fresh += !j->done;
    sum.translated += fresh;
    progress.images_done(fresh);
  }
  progress.finish();
  sum.wall_s = progress.elapsed_s();
  record["status"] = "complete";
  record["translated"] = sum.translated;
  record["skipped"] = sum.skipped;
  record["wall_s"] = sum.wall_s;
  record["images_per_s"] = sum.wall_s > 0 ? sum.translated / sum.wall_s : 0.0;
  write_json_file(record_path, record);
  sum.record = record;
  return sum;
}

}  // namespace egsde
