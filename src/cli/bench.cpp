// `egsde bench`: time one reverse step of EGSDE (ε-model forward + DSE guidance + low-pass
// guidance + noise) and of SDEdit at a profile's architecture, per batch size, with the
// process's peak memory. scripts/bench.sh runs it next to scripts/bench_official.py (the
// official egsde_sample on the same weights and threads) and writes results/bench/README.md.
#include <algorithm>
#include <chrono>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "core/error.h"
#include "core/json_io.h"
#include "core/profile.h"
#include "core/provenance.h"
#include "translate/sampling.h"

namespace egsde::cli {
namespace {

struct BenchArgs {
  std::string profile, json;
  std::vector<int64_t> batch{1, 4};
  int64_t steps = 5, warmup = 1, t_full = 500;
  uint64_t seed = 0;
};

// Peak resident memory of this process (VmHWM), MiB.
double peak_rss_mib() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  return 0;
}

// Seconds per step after `warmup` steps, median over the timed ones.
double time_steps(const Sampling& sampling, const torch::Tensor& x0, int64_t warmup, uint64_t seed) {
  std::vector<double> per_step;
  auto last = std::chrono::steady_clock::now();
  int64_t k = 0;
  std::vector<std::string> names;
  for (int64_t b = 0; b < x0.size(0); ++b) names.push_back("bench" + std::to_string(b));
  PerSampleNoise noise = PerSampleNoise::for_images(seed, 0, names);
  sampling.sample(x0, noise, [&](int64_t, int64_t, const torch::Tensor&) {
    const auto now = std::chrono::steady_clock::now();
    if (k++ >= warmup) per_step.push_back(std::chrono::duration<double>(now - last).count());
    last = now;
  });
  if (per_step.empty()) throw Error("bench: no timed step; raise --steps above --warmup");
  std::sort(per_step.begin(), per_step.end());
  return per_step[per_step.size() / 2];
}

void run(const BenchArgs& a) {
  Profile profile = read_profile(a.profile);
  profile.args.t = a.steps + a.warmup;  // steps per measurement: the cost of a step does not depend on i
  profile.args.sample_step = 1;
  nlohmann::json rows = nlohmann::json::array();
  std::cout << "method  batch  s/step    images/s at M=" << a.t_full << "  peak RSS MiB\n";
  for (const Method m : {Method::Egsde, Method::Sdedit}) {
    SamplingOptions so;
    so.method = m;
    const Sampling sampling(profile, so);
    for (const int64_t b : a.batch) {
      torch::manual_seed(a.seed);
      const auto x0 = torch::rand({b, 3, profile.image_size, profile.image_size}) * 2 - 1;
      const double s = time_steps(sampling, x0, a.warmup, a.seed);
      const double ips = static_cast<double>(b) / (s * static_cast<double>(a.t_full));
      const double rss = peak_rss_mib();
      std::cout << std::left << std::setw(8) << to_string(m) << std::setw(7) << b << std::setw(10) << std::setprecision(4)
                << s << std::setw(22) << ips << rss << "\n";
      rows.push_back({{"method", to_string(m)},
                      {"batch", b},
                      {"seconds_per_step", s},
                      {"images_per_s_at_M", ips},
                      {"M", a.t_full},
                      {"peak_rss_mib", rss}});
    }
  }
  if (!a.json.empty())
    write_json_file(a.json, {{"profile", a.profile},
                             {"steps_timed", a.steps},
                             {"warmup", a.warmup},
                             {"rows", rows},
                             {"note", "images/s at M = batch / (M x median seconds per step), from the timed steps"},
                             {"provenance", provenance()}});
}

}  // namespace

void register_bench(CLI::App& app) {
  auto a = std::make_shared<BenchArgs>();
  auto* cmd = app.add_subcommand("bench", "Time one EGSDE and one SDEdit reverse step at a profile's architecture");
  cmd->add_option("--profile", a->profile, "Profile (e.g. from scripts/bench.sh with random weights)")->required();
  cmd->add_option("--batch", a->batch, "Batch sizes")->delimiter(',')->capture_default_str();
  cmd->add_option("--steps", a->steps, "Timed steps per measurement (median reported)")->capture_default_str();
  cmd->add_option("--warmup", a->warmup, "Untimed steps first")->capture_default_str();
  cmd->add_option("--M", a->t_full, "M for the images/s estimate of a whole translation")->capture_default_str();
  cmd->add_option("--json", a->json, "Write the measurements with provenance as JSON");
  cmd->callback([a] { run(*a); });
}

}  // namespace egsde::cli
