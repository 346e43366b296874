// `egsde bench-metrics`: timings behind results/bench/metrics.md (scripts/bench_metrics.py runs
// it next to scipy / pytorch-fid). Not a test: prints JSON.
//   Fréchet: features relu(randn(N, D) @ mix) from one CPU generator (bit-identical to
//   torch.Generator().manual_seed(seed) in Python, so both sides compute the same FID).
//   Inception: the FID InceptionV3 (random weights) on [B, 3, 299, 299] inputs.
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>

#include <chrono>
#include <iostream>

#include "cli/commands.h"
#include "core/provenance.h"
#include "metrics/frechet.h"
#include "models/inception_fid.h"

namespace egsde::cli {
namespace {

struct BenchArgs {
  int64_t dims = 2048, samples = 500, repeats = 3, batch = 8, batches = 5;
  uint64_t seed = 0;
  bool reference = false, no_inception = false;
  int threads = 0;
};

template <class F>
double best_seconds(int64_t repeats, F&& f) {
  double best = 1e300;
  for (int64_t i = 0; i < repeats; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

void run_bench(const BenchArgs& a) {
  if (a.threads > 0) at::set_num_threads(a.threads);
  torch::NoGradGuard no_grad;
  nlohmann::json out;
  out["threads"] = at::get_num_threads();
  auto g = at::make_generator<at::CPUGeneratorImpl>(a.seed);
  const auto mix = torch::randn({a.dims, a.dims}, g, torch::kFloat64) / std::sqrt(static_cast<double>(a.dims));
  const auto fa = torch::relu(torch::matmul(torch::randn({a.samples, a.dims}, g, torch::kFloat64), mix));
  const auto fb = torch::relu(torch::matmul(torch::randn({a.samples, a.dims}, g, torch::kFloat64), mix) * 1.2 + 0.1);
  const auto sa = metrics::gaussian_statistics(fa), sb = metrics::gaussian_statistics(fb);
  auto& fr = out["frechet"];
  fr["dims"] = a.dims;
  fr["samples"] = a.samples;
  double fid = 0;
  fr["factored_s"] = best_seconds(a.repeats, [&] {
    fid = metrics::frechet_distance(sa.mu, sa.sigma, sb.mu, sb.sigma, metrics::SqrtmMethod::Factored).distance;
  });
  fr["factored_fid"] = fid;
  fr["features_s"] = best_seconds(a.repeats, [&] { fid = metrics::frechet_distance_features(fa, fb).distance; });
  fr["features_fid"] = fid;
  if (a.reference) {
    fr["reference_s"] = best_seconds(1, [&] {
      fid = metrics::frechet_distance(sa.mu, sa.sigma, sb.mu, sb.sigma, metrics::SqrtmMethod::Reference).distance;
    });
    fr["reference_fid"] = fid;
  }
  if (!a.no_inception) {
    InceptionFid net;
    load_inception_state_dict(*net, random_inception_state_dict(a.seed), "random");
    net->eval();
    const auto x = torch::rand({a.batch, 3, 299, 299});
    net->forward(x);  // warm-up
    double total = 0;  // best batch and mean: the machine may be shared
    const double best = best_seconds(a.batches, [&] {
      const auto t0 = std::chrono::steady_clock::now();
      net->forward(x);
      total += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    });
    out["inception"] = {{"batch", a.batch}, {"batches", a.batches}, {"seconds", total},
                        {"images_per_s", static_cast<double>(a.batch) / best},
                        {"mean_images_per_s", static_cast<double>(a.batch * a.batches) / total}};
  }
  out["provenance"] = provenance();
  std::cout << out.dump(2) << "\n";
}

}  // namespace

void register_bench_metrics(CLI::App& app) {
  auto a = std::make_shared<BenchArgs>();
  auto* cmd = app.add_subcommand("bench-metrics", "Time the Fréchet distance and Inception features (JSON)");
  cmd->add_option("--dims", a->dims, "feature dimension (default 2048)")->check(CLI::PositiveNumber);
  cmd->add_option("--samples", a->samples, "samples per side (default 500)")->check(CLI::Range(2, 1 << 30));
  cmd->add_option("--repeats", a->repeats, "Fréchet repeats, best time reported (default 3)")->check(CLI::PositiveNumber);
  cmd->add_option("--batch", a->batch, "Inception batch size (default 8)")->check(CLI::PositiveNumber);
  cmd->add_option("--batches", a->batches, "timed Inception batches after one warm-up; best and mean reported (default 5)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--seed", a->seed, "seed of the features and weights (default 0)");
  cmd->add_option("--threads", a->threads, "intra-op threads (default: LibTorch's)");
  cmd->add_flag("--reference", a->reference, "also time the reference (general eigenvalue) path once");
  cmd->add_flag("--no-inception", a->no_inception, "skip the Inception timing");
  cmd->callback([a] { run_bench(*a); });
}

}  // namespace egsde::cli
