// What `egsde run` needs from the sampler and the metrics, as two small interfaces (tests plug in
// fakes), and their real implementations: translate/method_sampler.h and metrics/evaluate.h.
#pragma once
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "runner/expand.h"
#include "runner/plan.h"
#include "runner/work_item.h"
#include "runner/work_queue.h"

namespace egsde::runner {

// One per worker thread, built on that thread: holds the model replicas for worker.device
// (cached across runs that share ckpt/dsepath/config).
class BatchTranslator {
 public:
  virtual ~BatchTranslator() = default;
  // Translates `batch` (items of `run`, at most args.batch_size, in image order): reads each
  // item.source, samples with run.method / run.resolved, the noise protocol `rng` (per-sample:
  // seeded from run.seed, run.repeat, item.image), and writes item.output_dir / item.image
  // atomically (overwriting a half-done earlier attempt).
  // Returns one JSON record per item (e.g. seconds, steps/s, finite check) or {}.
  virtual std::vector<nlohmann::json> translate(const Run& run, RngProtocol rng, const std::vector<WorkItem>& batch) = 0;
};
using BatchTranslatorFactory = std::function<std::unique_ptr<BatchTranslator>(const Worker& worker)>;

// Evaluates a finished run: FID/L2/MSE/PSNR/SSIM of `translated` against the evaluation's
// source and target; returns {"fid", "l2", "mse", "psnr", "ssim", ...} and, when it can, writes
// the per-image scores joined with `item_records` (image → its completion record: seed,
// seconds) to `per_image_file` (HDF5).
using Evaluator = std::function<nlohmann::json(const Run& run, const Evaluation& evaluation,
                                               const std::filesystem::path& translated,
                                               const std::map<std::string, nlohmann::json>& item_records,
                                               const std::filesystem::path& per_image_file)>;

// The real sampler (per-sample noise only: rng 'official' is refused with a clear error) and
// the real metrics (target statistics cached under OUT/.fid-cache).
BatchTranslatorFactory sampler_batch_translators();
Evaluator metrics_evaluator();

// Evaluates every run of the plan whose items are all finished and which has no metrics.json
// yet, writing OUT/<run_id>/per_image.h5 (image, l2, mse, psnr, ssim, noise_seed, seconds) and
// then OUT/<run_id>/metrics.json, atomically. Returns the number evaluated.
std::size_t evaluate_complete_runs(const Plan& plan, const Evaluator& evaluator, bool quiet);

// Adapts a BatchTranslatorFactory to the work queue (one BatchTranslator per worker, runs looked up by
// item.run_index in `plan`).
WorkerFactory translator_worker_factory(const Plan& plan, const BatchTranslatorFactory& factory);

}  // namespace egsde::runner
