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
#include "translate/progress.h"

namespace egsde {
namespace {

namespace fs = std::filesystem;

const std::vector<std::pair<std::string, OutputFormat>> kFormats = {
    {"same", OutputFormat::Same}, {"png", OutputFormat::Png}, {"jpg", OutputFormat::Jpg}};

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

nlohmann::json settings_of(const Profile& p, const TranslateOptions& o, int64_t batch_size,
                           const std::vector<fs::path>& folders) {
  nlohmann::json s = {{"profile", to_json(p)},
                      {"method", to_string(o.method)},
                      {"rng", to_string(o.rng)},
                      {"respace", o.respace},
                      {"format", to_string(o.format)}};
  // absent for fp32: folders written before precision existed stay resumable
  if (o.precision != Precision::Fp32) s["precision"] = to_string(o.precision);
  if (o.conv != ConvAlgo::Direct) s["conv"] = to_string(o.conv);  // likewise
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

OutputFormat parse_output_format(const std::string& s) { return parse_named(s, kFormats, "format"); }
std::string to_string(OutputFormat f) { return name_of(f, kFormats); }

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
  SamplingOptions so;
  so.method = o.method;
  so.respace = o.respace;
  so.precision = o.precision;
  so.conv = o.conv;
  so.device = o.device;
  so.per_image_lowpass = o.rng == RngProtocol::PerSample;  // batch-invariant low-pass
  const Sampling sampling(profile, so);

  // 3. noise: the official runner's generator (seed, then the networks' default init draws —
  //    score model first, then the DSE — then the DataLoader's seed), or one per image.
  std::optional<OfficialNoise> official;
  if (o.rng == RngProtocol::Official) official = OfficialNoise::for_runner(a.seed, sampling.init_draws());

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

  Progress progress(sum.sources - sum.skipped, pending_batches * repeats * sampling.steps(), o.quiet);
  for (int64_t r = 0; r < repeats; ++r) fs::create_directories(o.output / std::to_string(r));
  for (const auto& batch : batches) {
    const int64_t n = static_cast<int64_t>(batch.size());
    const auto like = torch::empty({n, 3, profile.image_size, profile.image_size});
    if (all_done(batch)) {  // official protocol only: keep the generator where the runner has it
      for (int64_t k = 0; k < sampling.draws_per_batch(); ++k) official->randn_like(like);
      continue;
    }
    std::vector<std::string> names;
    std::vector<fs::path> paths;
    for (const Job* j : batch) names.push_back(j->src.name), paths.push_back(j->src.path);
    const auto x0 = load_sources(paths, profile.image_size).to(o.device);
    // per-sample: one generator per image and repeat; the sampler's repeats draw in sequence
    // from it, so seed it with repeat 0 (the repeat index of the experiment, not of sample_step).
    std::optional<PerSampleNoise> per_sample;
    if (!official) per_sample = PerSampleNoise::for_images(a.seed, 0, names);
    NoiseSource& noise = official ? static_cast<NoiseSource&>(*official) : *per_sample;
    const auto results = sampling.sample(x0, noise, [&](int64_t, int64_t, const torch::Tensor&) { progress.step(); });
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
