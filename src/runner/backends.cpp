#include "runner/backends.h"

#include <chrono>
#include <cmath>
#include <iostream>
#include <map>
#include <memory>

#include "core/cpu_cache.h"
#include "core/error.h"
#include "core/image_io.h"
#include "core/json_io.h"
#include "core/provenance.h"
#include "translate/profile.h"
#include "runner/preflight.h"
#include "runner/records.h"
#include "metrics/classifier_features.h"
#include "metrics/evaluate.h"
#include "metrics/per_image_h5.h"
#include "translate/method_sampler.h"

namespace egsde::runner {
namespace {

namespace fs = std::filesystem;

// One worker's sampler: the networks stay loaded while consecutive batches share the profile's
// networks, method and respacing (the seed does not matter to them).
class SamplerBatchTranslator : public BatchTranslator {
 public:
  explicit SamplerBatchTranslator(const Worker& w) : device_(w.device) {}

  std::vector<nlohmann::json> translate(const Run& run, RngProtocol rng, const std::vector<WorkItem>& batch) override {
    check_rng(rng, "run " + run.id);
    const Profile& profile = run.resolved;
    nlohmann::json key = run.config;
    key["profile"]["args"].erase("seed");
    key.erase("repeat");
    const std::string k = key.dump();
    if (k != key_) {
      sampler_.reset();
      MethodSamplerOptions so;
      so.method = sampler_method(run.method);
      so.respace = run.respace;
      so.precision = run.precision;
      so.conv = run.conv;
      so.device = device_;
      so.per_image_lowpass = true;
      sampler_ = std::make_unique<MethodSampler>(profile, so);
      key_ = k;
    }
    std::vector<fs::path> paths;
    std::vector<std::string> names;
    for (const auto& item : batch) paths.push_back(item.source), names.push_back(item.image);
    const auto start = std::chrono::steady_clock::now();
    // The same noise as `egsde translate --rng per-sample` of the run's resolved profile.
    PerSampleNoise noise = PerSampleNoise::for_images(static_cast<uint64_t>(run.seed), 0, names);
    const auto y = translate_files(*sampler_, paths, noise).at(0);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::vector<nlohmann::json> records;
    for (size_t b = 0; b < batch.size(); ++b) {
      write_image(batch[b].output_dir / batch[b].image, to_image_u8(y[static_cast<int64_t>(b)]));
      records.push_back({{"seed", run.seed},
                         {"noise_seed", per_sample_seed(static_cast<uint64_t>(run.seed), 0, names[b])},
                         {"seconds", seconds / static_cast<double>(batch.size())},
                         {"batch", batch.size()},
                         {"steps", sampler_->steps()},
                         {"device", device_.str()}});
    }
    return records;
  }

 private:
  torch::Device device_;
  std::string key_;
  std::unique_ptr<MethodSampler> sampler_;
};

// OUT/<run>/per_image.h5: one row per translated image (sorted by name), joined with the
// item records (noise seed, seconds).
void write_per_image_records(const fs::path& file, const Run& run, const metrics::EvalResult& result,
                             const std::map<std::string, nlohmann::json>& items) {
  const auto& rows = result.per_image;
  std::vector<int64_t> noise_seed;
  std::vector<double> seconds;
  for (const auto& row : rows) {
    const auto it = items.find(row.translated.filename().string());
    const nlohmann::json rec = it == items.end() ? nlohmann::json::object() : it->second;
    noise_seed.push_back(static_cast<int64_t>(rec.value("noise_seed", uint64_t{0})));  // uint64 bits
    seconds.push_back(rec.value("seconds", std::nan("")));
  }
  metrics::write_per_image_h5(file, rows, noise_seed, seconds,
                              {{"run_id", run.id}, {"label", run.label}, {"seed", std::to_string(run.seed)}},
                              result.classifier);
}

}  // namespace

BatchTranslatorFactory sampler_batch_translators() {
  return [](const Worker& w) -> std::unique_ptr<BatchTranslator> { return std::make_unique<SamplerBatchTranslator>(w); };
}

Evaluator metrics_evaluator() {
  // One feature network per weights file for the whole session; target statistics cached on disk.
  auto nets = std::make_shared<std::map<fs::path, std::shared_ptr<metrics::FeatureNetwork>>>();
  return [nets](const Run& run, const Evaluation& ev, const fs::path& translated,
                const std::map<std::string, nlohmann::json>& items, const fs::path& per_image_file) {
    const bool classifier = !ev.classifier.empty();
    auto& net = (*nets)[classifier ? ev.classifier : ev.inception];
    if (!net) {
      if (classifier) net = std::make_shared<metrics::ClassifierFeatures>(ev.classifier, ev.classifier_config);
      else net = std::make_shared<metrics::InceptionFeatures>(ev.inception);
    }
    metrics::EvalRequest r;
    r.translated = translated;
    r.source = ev.source;
    r.source_files = ev.source_files;
    r.target = ev.target;
    r.protocol = ev.protocol;
    r.cache = translated.parent_path().parent_path() / ".fid-cache";
    r.target_class = ev.target_class;
    auto result = metrics::evaluate_folders(r, *net);
    if (classifier) result.scores["protocol"] = "native (ToTensor)";
    write_per_image_records(per_image_file, run, result, items);
    return result.scores;
  };
}

std::size_t evaluate_complete_runs(const Plan& plan, const Evaluator& evaluator, bool quiet) {
  if (!plan.spec.evaluation || plan.shard.count != 1) return 0;  // shards: evaluate after egsde merge
  const CpuCacheScope no_cache(false);  // evaluation: see core/cpu_cache.h
  const RecordStore store(plan.output);
  std::size_t n = 0;
  for (const auto& pr : plan.runs) {
    const fs::path file = store.run_dir(pr.run.id) / "metrics.json";
    if (fs::exists(file) || store.done_records(pr.run.id).size() < pr.image_count) continue;
    Evaluation ev = *plan.spec.evaluation;
    // The sources the plan translated (its list; with max_images the first image_count of it).
    const bool subset = pr.image_count < pr.images.names.size();
    if (subset || ev.source.lexically_normal() == pr.images.dir.lexically_normal()) {
      ev.source = pr.images.dir;
      ev.source_files.assign(pr.images.paths.begin(),
                             pr.images.paths.begin() + static_cast<std::ptrdiff_t>(pr.image_count));
    }
    if (!quiet) std::cerr << "egsde run: evaluating " << pr.run.id << " (" << pr.run.label << ")\n";
    const auto start = std::chrono::steady_clock::now();
    std::map<std::string, nlohmann::json> items;
    for (const auto& rec : store.done_records(pr.run.id)) items[rec.value("image", "")] = rec;
    nlohmann::json m =
        evaluator(pr.run, ev, store.images_dir(pr.run.id), items, store.run_dir(pr.run.id) / "per_image.h5");
    if (m.contains("warnings") && m["warnings"].is_array())
      for (const auto& w : m["warnings"]) std::cerr << "egsde run: warning: " << pr.run.id << ": " << w.get<std::string>() << "\n";
    m["run_id"] = pr.run.id;
    m["label"] = pr.run.label;
    m["images"] = pr.image_count;
    m["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    m["provenance"] = provenance();
    write_json_file(file, m);
    ++n;
  }
  return n;
}

WorkerFactory translator_worker_factory(const Plan& plan, const BatchTranslatorFactory& factory) {
  if (!factory) throw Error("no translator: the sampler backend is not linked in");
  return [&plan, factory](const Worker& worker) -> BatchFn {
    std::shared_ptr<BatchTranslator> translator = factory(worker);
    if (!translator) throw Error("the translator factory returned nothing for " + worker.device);
    return [&plan, translator](const std::vector<WorkItem>& batch, const Worker&) {
      const PlannedRun& pr = plan.runs.at(batch.front().run_index);
      return translator->translate(pr.run, plan.spec.rng, batch);
    };
  };
}

}  // namespace egsde::runner
