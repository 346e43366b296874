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
#include "core/output_lock.h"
#include "core/provenance.h"
#include "core/suggest.h"
#include "diffusion/respace.h"
#include "translate/output_records.h"
#include "translate/weights_digest.h"
#include "core/progress.h"

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

// A job's files, relative to the output folder: <repeat>/<image> (and <repeat>/<stem>.npy).
std::vector<std::string> outputs_of(const Job& j, int64_t repeats, bool save_raw) {
  std::vector<std::string> rels;
  for (int64_t r = 0; r < repeats; ++r) {
    rels.push_back(std::to_string(r) + "/" + j.out_name);
    if (save_raw) rels.push_back(std::to_string(r) + "/" + j.raw_name);
  }
  return rels;
}

// A job is done when translate.json records every one of its files and they still match.
bool recorded(const OutputRecords& records, const Job& j, int64_t repeats, bool save_raw) {
  for (const auto& rel : outputs_of(j, repeats, save_raw))
    if (!records.contains(rel)) return false;
  return true;
}

std::vector<Job> plan_jobs(const std::vector<SourceImage>& sources, const TranslateOptions& o, int64_t repeats,
                           const OutputRecords& records) {
  std::vector<Job> jobs;
  std::map<std::string, std::string> seen;  // output stem → source path
  for (const auto& s : sources) {
    Job j{s, output_name(s.name, o.format), fs::path(s.name).stem().string() + ".npy"};
    const std::string stem = fs::path(j.out_name).stem().string();
    if (auto it = seen.find(stem); it != seen.end())
      throw Error("sources " + it->second + " and " + s.path.string() + " would both write outputs named '" + stem +
                  ".*'; rename one of them");
    seen[stem] = s.path.string();
    j.done = !o.overwrite && recorded(records, j, repeats, o.save_raw);
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

// Anything in `dir` besides egsde's lock file.
bool holds_files(const fs::path& dir) {
  std::error_code ec;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec))
    if (it->path().filename() != kOutputLockName) return true;
  return false;
}

void create_folder(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    throw Error("cannot create output folder " + dir.string() + ": " + ec.message() + "; choose another --output");
}

// What translate.json says about an output folder written before: the outputs it still vouches
// for. Refuses other settings, and a non-empty folder egsde did not write, unless --overwrite.
OutputRecords trusted_outputs(const fs::path& record_path, const nlohmann::json& settings, const nlohmann::json& weights,
                              const TranslateOptions& o) {
  if (o.overwrite) return {};
  std::error_code ec;
  if (!fs::exists(record_path, ec)) {
    if (holds_files(o.output))
      throw Error("output folder " + o.output.string() +
                  " holds files egsde did not write (it has no translate.json); give an empty or new --output, or "
                  "--overwrite to translate every image into it (other files are left alone)");
    return {};
  }
  const auto old = read_json_file(record_path);
  if (old.value("settings", nlohmann::json()) != settings)
    throw Error("output " + o.output.string() +
                " holds a translation with other settings (see its translate.json); use another --output or "
                "--overwrite");
  if (!old.contains("outputs") && !o.quiet)
    std::cerr << "egsde: warning: " << record_path.string()
              << " lists no sizes and digests of its outputs (an older egsde wrote it); translating every image "
                 "again\n";
  OutputRecords trusted = OutputRecords::from_json(old.value("outputs", nlohmann::json())).verified(o.output);
  if (!trusted.empty())
    if (const std::string change = weights_change(old.value("weights", nlohmann::json()), weights, record_path.string());
        !change.empty())
      throw Error("output " + o.output.string() + " holds images translated with other weights: " + change +
                  " (retrained since?); use another --output or --overwrite");
  return trusted;
}

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

}  // namespace

OutputFormat parse_output_format(const std::string& s) { return parse_named(s, kFormats, "format"); }
std::string to_string(OutputFormat f) { return name_of(f, kFormats); }

std::string output_name(const std::string& source_name, OutputFormat format) {
  if (format == OutputFormat::Same) return source_name;
  return fs::path(source_name).stem().string() + (format == OutputFormat::Png ? ".png" : ".jpg");
}

TranslateSummary translate_folder(const Profile& profile, const TranslateOptions& o) {
  const ProfileArgs& a = profile.args;
  const std::string what = "profile " + profile.source.string();
  const int64_t batch_size = o.batch_size > 0 ? o.batch_size : a.batch_size;
  const int64_t repeats = a.sample_step;

  // 1. the output folder (not a source folder), locked for the whole run: a second translate
  //    (or run) on it is refused
  const auto folders = o.source.empty() ? a.testdata_path : o.source;
  for (const auto& f : folders) {
    std::error_code ec;
    if (fs::equivalent(f, o.output, ec))
      throw Error("--output " + o.output.string() + " is the source folder " + f.string() +
                  "; choose another --output (a new folder inside the source folder is fine: it is not listed)");
  }
  const OutputLock lock = OutputLock::acquire(o.output, "translate");

  // 2. sources (an output folder inside a source folder is not listed) and what is left to do
  auto sources = list_source_images(folders, {o.output});
  if (o.limit > 0 && static_cast<int64_t>(sources.size()) > o.limit) sources.resize(static_cast<size_t>(o.limit));
  const fs::path record_path = o.output / "translate.json";
  const nlohmann::json settings = settings_of(profile, o, batch_size, folders);
  const nlohmann::json weights = weights_digests(a, o.method);
  OutputRecords records = trusted_outputs(record_path, settings, weights, o);
  std::vector<Job> jobs = plan_jobs(sources, o, repeats, records);
  TranslateSummary sum;
  sum.sources = static_cast<int64_t>(jobs.size());
  for (const auto& j : jobs) sum.skipped += j.done;

  // 3. networks, schedule, energies (before any output is written)
  if (o.respace > 0 && !o.quiet)
    if (const std::string w = respace_warning(profile.schedule.num_diffusion_timesteps, o.respace, a.t); !w.empty())
      std::cerr << "egsde: warning: --" << w << "\n";
  MethodSamplerOptions so;
  so.method = o.method;
  so.respace = o.respace;
  so.precision = o.precision;
  so.conv = o.conv;
  so.device = o.device;
  so.per_image_lowpass = o.rng == RngProtocol::PerSample;  // batch-invariant low-pass
  const MethodSampler sampler(profile, so);

  // 4. noise: the official runner's generator (seed, then the networks' default init draws —
  //    score model first, then the DSE — then the DataLoader's seed), or one per image.
  std::optional<OfficialNoise> official;
  if (o.rng == RngProtocol::Official) official = OfficialNoise::for_runner(a.seed, sampler.init_draws());

  // 5. batches: official = the runner's batches over all sources (finished batches only advance
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
                           {"provenance", provenance()},
                           {"weights", weights},
                           {"outputs", records.to_json()}};
  write_json_file(record_path, record);

  // 6. the batches; translate.json records each written file (size, digest) after every batch,
  //    and on an error says "failed" with the error line instead of "running".
  Progress progress(sum.sources - sum.skipped, pending_batches * repeats * sampler.steps(), o.quiet);
  try {
    for (int64_t r = 0; r < repeats; ++r) create_folder(o.output / std::to_string(r));
    for (const auto& batch : batches) {
      const int64_t n = static_cast<int64_t>(batch.size());
      const auto like = torch::empty({n, 3, profile.image_size, profile.image_size});
      if (all_done(batch)) {  // official protocol only: keep the generator where the runner has it
        for (int64_t k = 0; k < sampler.draws_per_batch(); ++k) official->randn_like(like);
        continue;
      }
      std::vector<std::string> names;
      std::vector<fs::path> paths;
      for (const Job* j : batch) names.push_back(j->src.name), paths.push_back(j->src.path);
      // per-sample: one generator per image and repeat; the sampler's repeats draw in sequence
      // from it, so seed it with repeat 0 (the repeat index of the experiment, not of sample_step).
      std::optional<PerSampleNoise> per_sample;
      if (!official) per_sample = PerSampleNoise::for_images(a.seed, 0, names);
      NoiseSource& noise = official ? static_cast<NoiseSource&>(*official) : *per_sample;
      const auto results = translate_files(
          sampler, paths, noise, [&](int64_t, int64_t, const torch::Tensor&) { progress.step(); }, o.quiet);
      for (int64_t r = 0; r < repeats; ++r) {
        const fs::path dir = o.output / std::to_string(r);
        const auto& y = results[static_cast<size_t>(r)];
        for (int64_t b = 0; b < n; ++b) {
          const Job& j = *batch[static_cast<size_t>(b)];
          if (j.done) continue;  // official protocol: a finished image in a re-run batch
          write_image(dir / j.out_name, to_image_u8(y[b]));
          records.record(o.output, std::to_string(r) + "/" + j.out_name);
          if (o.save_raw) {
            write_npy(dir / j.raw_name, y[b].contiguous());
            records.record(o.output, std::to_string(r) + "/" + j.raw_name);
          }
        }
      }
      int64_t fresh = 0;
      for (const Job* j : batch) fresh += !j->done;
      sum.translated += fresh;
      record["outputs"] = records.to_json();
      record["translated"] = sum.translated;
      write_json_file(record_path, record);
      progress.images_done(fresh);
    }
  } catch (const std::exception& e) {
    progress.finish();
    const std::string why = first_line(e.what());
    record["status"] = "failed";
    record["error"] = why;
    record["outputs"] = records.to_json();
    record["translated"] = sum.translated;
    try {
      write_json_file(record_path, record);
    } catch (const std::exception&) {
      // the error being thrown says more than this one
    }
    if (dynamic_cast<const Error*>(&e) || dynamic_cast<const c10::Error*>(&e)) throw;
    throw Error("translating into " + o.output.string() + " failed: " + why);
  }
  progress.finish();
  sum.wall_s = progress.elapsed_s();
  record["status"] = "complete";
  record["translated"] = sum.translated;
  record["skipped"] = sum.skipped;
  record["wall_s"] = sum.wall_s;
  record["outputs"] = records.to_json();
  record["images_per_s"] = sum.wall_s > 0 ? sum.translated / sum.wall_s : 0.0;
  write_json_file(record_path, record);
  sum.record = record;
  return sum;
}

}  // namespace egsde
