// `egsde bench`: time one reverse step of EGSDE (ε-model forward + DSE guidance + low-pass
// guidance + noise) and of SDEdit at a profile's architecture, per batch size, with the
// process's peak memory; with --levers, the EGSDE step with the speed levers switched on one at a
// time from the official way of computing the guidance, then with 1 thread and with bf16.
// scripts/bench.sh runs it next to scripts/bench_official.py (the official egsde_sample on the
// same weights and threads) and writes results/bench/README.md.
#include <algorithm>
#include <chrono>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "cli/device.h"
#include "core/cpu_cache.h"
#include "core/cuda_memory.h"
#include "core/error.h"
#include "core/json_io.h"
#include "core/precision.h"
#include "translate/profile.h"
#include "core/provenance.h"
#include "translate/method_sampler.h"

namespace egsde::cli {
namespace {

struct BenchArgs {
  std::string profile, json, device = "cpu";
  std::vector<std::string> precision{"fp32"};
  std::vector<std::string> conv{"direct"};
  bool levers = false, channels_last = false;
  std::vector<int64_t> batch{1, 4};
  std::vector<std::string> methods{"egsde", "sdedit"};
  int64_t steps = 5, warmup = 1, t_full = 500, max_batch = 0;
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

struct Timing {
  double seconds_per_step = 0;  // CPU: median over the timed steps; CUDA: their mean (see time_steps)
  double first_step = 0;        // the first (warm-up) step: includes one-time set-up (Winograd plans)
  double peak_device_mib = -1;  // CUDA: peak memory held by tensors during the measurement
  torch::Tensor sample;         // after all steps (on the CPU), to compare variants
};

// Seconds per step after `warmup` of `total` steps. CPU: each step timed, the median. CUDA: the
// timed steps run back to back as in a translation, with one synchronisation after the first
// step, one after the warm-up and one at the end (a synchronisation per step would drain the
// launch queue and time gaps a translation does not have): their mean.
Timing time_steps(const MethodSampler& sampling, const torch::Tensor& x0, int64_t warmup, int64_t total, uint64_t seed) {
  const bool cuda = x0.is_cuda();
  if (total <= warmup) throw Error("bench: no timed step; raise --steps above 0");
  std::vector<double> per_step;
  const auto start = std::chrono::steady_clock::now();
  auto last = start, mark = start;
  int64_t k = 0;
  double first = 0, mean = 0;
  std::vector<std::string> names;
  for (int64_t b = 0; b < x0.size(0); ++b) names.push_back("bench" + std::to_string(b));
  PerSampleNoise noise = PerSampleNoise::for_images(seed, 0, names);
  const auto y = sampling.sample(x0, noise, [&](int64_t, int64_t, const torch::Tensor&) {
    ++k;
    if (cuda && k != 1 && k != warmup && k != total) return;
    if (cuda) torch::cuda::synchronize();  // time the kernels, not their launch
    const auto now = std::chrono::steady_clock::now();
    const double s = std::chrono::duration<double>(now - last).count();
    if (k == 1) first = s;
    if (k == warmup) mark = now;
    if (!cuda && k > warmup) per_step.push_back(s);
    if (cuda && k == total && total > warmup)
      mean = std::chrono::duration<double>(now - mark).count() / static_cast<double>(total - warmup);
    last = now;
  });
  if (cuda) return {mean, first, -1, y.at(0).to(torch::kCPU)};
  std::sort(per_step.begin(), per_step.end());
  return {per_step[per_step.size() / 2], first, -1, y.at(0).to(torch::kCPU)};
}

// One timed measurement of `so` at batch `b`.
Timing measure(const Profile& profile, const BenchArgs& a, const MethodSamplerOptions& so, int64_t b) {
  const MethodSampler sampling(profile, so);
  torch::manual_seed(static_cast<int64_t>(a.seed));
  const auto x0 = (torch::rand({b, 3, profile.image_size, profile.image_size}) * 2 - 1).to(so.device);
  reset_peak_device_memory(so.device);
  Timing tm = time_steps(sampling, x0, a.warmup, a.steps + a.warmup, a.seed);
  tm.peak_device_mib = peak_device_memory_mib(so.device);
  return tm;
}

// The largest batch (doubling from `from`, at most `cap`) whose measurement fits the device's
// memory, with its timing; 0 when not even `from` fits. Out-of-memory is the only failure caught.
std::pair<int64_t, Timing> largest_batch(const Profile& profile, const BenchArgs& a, const MethodSamplerOptions& so,
                                         int64_t from, int64_t cap) {
  std::pair<int64_t, Timing> best{0, {}};
  for (int64_t b = from; b <= cap; b *= 2) {
    try {
      best = {b, measure(profile, a, so, b)};
    } catch (const c10::Error& e) {
      if (!is_out_of_memory(e)) throw;
      release_cached_device_memory();
      std::cout << "(batch " << b << " does not fit: out of memory)\n";
      break;
    }
  }
  return best;
}

// The EGSDE step from the official way of computing the guidance to egsde's default, one lever
// at a time (cumulative), then the default with one thread and with bf16 autocast.
nlohmann::json run_levers(const Profile& profile, const BenchArgs& a, const MethodSamplerOptions& base) {
  struct Row {
    std::string name;
    MethodSamplerOptions so;
    int threads;
    bool cpu_cache = true;
  };
  const int threads = at::get_num_threads();
  MethodSamplerOptions so = base;
  so.method = Method::Egsde;
  so.precision = Precision::Fp32;
  so.levers = {false, false, false};
  so.conv = ConvAlgo::Direct;
  so.channels_last = false;
  std::vector<Row> rows;
  rows.push_back({"official way: trainable DSE, DSE(x_t) and LP(x_t) under autograd, low-pass by autograd, "
                  "system allocator", so, threads, false});
  so.levers.frozen_dse = true;
  rows.push_back({"+ frozen DSE parameters (graph and backward to the input only)", so, threads, false});
  so.levers.xt_outside_autograd = true;
  rows.push_back({"+ DSE(x_t), LP(x_t) outside autograd", so, threads, false});
  so.levers.closed_form_lowpass = true;
  rows.push_back({"+ closed-form low-pass gradient", so, threads, false});
  rows.push_back({"+ allocation reuse: large CPU blocks cached across steps (= egsde's default)", so, threads, true});
  if (threads > 1) rows.push_back({"default, 1 thread", so, 1});
  MethodSamplerOptions variant = so;
  variant.channels_last = true;
  rows.push_back({"default, networks channels-last (NHWC; not adopted)", variant, threads});
  if (winograd_available()) {
    variant = so;
    variant.conv = ConvAlgo::Winograd;
    rows.push_back({"default + Winograd 3x3 convolutions (--conv winograd)", variant, threads});
  } else {
    std::cout << "(no Winograd row: " << winograd_unavailable_reason() << ")\n";
  }
  so.precision = Precision::Bf16;
  rows.push_back({"default, bf16 autocast", so, threads});
  const int64_t b = a.batch.front();
  nlohmann::json out = nlohmann::json::array();
  double first = 0;
  torch::Tensor reference;  // the first row's sample in float64: every row must give it (bf16: close to it)
  std::cout << "\nlevers (EGSDE, batch " << b << ")\ns/step    speed-up rel.drift  lever\n";
  const bool cache_default = cpu_cache_stats().enabled;
  for (const auto& r : rows) {
    at::set_num_threads(r.threads);
    set_cpu_cache(r.cpu_cache);
    const Timing tm = measure(profile, a, r.so, b);
    set_cpu_cache(cache_default);
    at::set_num_threads(threads);
    const double s = tm.seconds_per_step;
    if (first == 0) first = s, reference = tm.sample.to(torch::kFloat64);
    // ||y − y_first|| / ||y_first|| after the same steps and noise
    const double drift = ((tm.sample.to(torch::kFloat64) - reference).norm() / reference.norm()).item<double>();
    std::cout << std::left << std::setw(10) << std::setprecision(4) << s << std::setw(8) << first / s << std::setw(11)
              << drift << r.name << "\n";
    out.push_back({{"lever", r.name},
                   {"batch", b},
                   {"threads", r.threads},
                   {"cpu_cache", r.cpu_cache},
                   {"precision", to_string(r.so.precision)},
                   {"conv", to_string(r.so.conv)},
                   {"channels_last", r.so.channels_last},
                   {"seconds_per_step", s},
                   {"speedup_vs_first", first / s},
                   {"rel_drift_vs_first", drift}});
  }
  return out;
}

void run(const BenchArgs& a) {
  Profile profile = read_profile(a.profile);
  profile.args.t = a.steps + a.warmup;  // steps per measurement: the cost of a step does not depend on i
  profile.args.sample_step = 1;
  std::vector<Precision> precisions;
  for (const auto& p : a.precision) precisions.push_back(parse_precision(p));
  MethodSamplerOptions base;
  base.precision = precisions.front();  // the levers' rows
  base.device = parse_device(a.device);
  base.channels_last = a.channels_last;
  std::vector<ConvAlgo> convs;
  for (const auto& c : a.conv) {
    const ConvAlgo algo = parse_conv_algo(c);
    if (algo == ConvAlgo::Winograd && !winograd_available())
      std::cout << "(no winograd rows: " << winograd_unavailable_reason() << ")\n";
    else
      convs.push_back(algo);
  }
  std::vector<Method> methods;
  for (const auto& m : a.methods) methods.push_back(parse_method(m));
  nlohmann::json rows = nlohmann::json::array();
  std::cout << "method  conv      prec  batch  s/step    images/s at M=" << a.t_full << "  peak RSS MiB  peak GPU MiB\n";
  const auto add_row = [&](const MethodSamplerOptions& so, int64_t b, const Timing& tm, bool largest) {
    const double s = tm.seconds_per_step;
    const double ips = static_cast<double>(b) / (s * static_cast<double>(a.t_full));
    const double rss = peak_rss_mib();
    std::cout << std::left << std::setw(8) << to_string(so.method) << std::setw(10) << to_string(so.conv)
              << std::setw(6) << to_string(so.precision) << std::setw(7) << b << std::setw(10) << std::setprecision(4)
              << s << std::setw(22) << ips << std::setw(14) << rss << tm.peak_device_mib << (largest ? "  (largest)" : "")
              << "\n";
    rows.push_back({{"method", to_string(so.method)},
                    {"batch", b},
                    {"largest_batch", largest},
                    {"precision", to_string(so.precision)},
                    {"conv", to_string(so.conv)},
                    {"channels_last", so.channels_last},
                    {"seconds_per_step", s},
                    {"first_step_seconds", tm.first_step},
                    {"images_per_s_at_M", ips},
                    {"M", a.t_full},
                    {"peak_rss_mib", rss},
                    {"peak_device_mib", tm.peak_device_mib}});
  };
  for (const ConvAlgo conv : convs) {
    for (const Precision p : precisions) {
      for (const Method m : methods) {
        MethodSamplerOptions so = base;
        so.method = m;
        so.conv = conv;
        so.precision = p;
        for (const int64_t b : a.batch) add_row(so, b, measure(profile, a, so, b), false);
        if (a.max_batch > 0) {
          const int64_t from = std::max<int64_t>(1, a.batch.back() * 2);
          const auto [b, tm] = largest_batch(profile, a, so, from, a.max_batch);
          if (b > 0) add_row(so, b, tm, true);
        }
      }
    }
  }
  const nlohmann::json levers = a.levers ? run_levers(profile, a, base) : nlohmann::json::array();
  if (!a.json.empty())
    write_json_file(a.json, {{"profile", a.profile},
                             {"steps_timed", a.steps},
                             {"warmup", a.warmup},
                             {"device", a.device},
                             {"rows", rows},
                             {"levers", levers},
                             {"note", "images/s at M = batch / (M x seconds per step), from the timed steps (CPU: "
                                      "median of per-step times; CUDA: mean over steps run back to back)"},
                             {"provenance", provenance()}});
}

}  // namespace

void register_bench(CLI::App& app) {
  auto a = std::make_shared<BenchArgs>();
  auto* cmd = app.add_subcommand("bench", "Time one EGSDE and one SDEdit reverse step at a profile's architecture");
  cmd->add_option("--profile", a->profile, "Profile (e.g. from scripts/bench.sh with random weights)")->required();
  cmd->add_option("--batch", a->batch, "Batch sizes")->delimiter(',')->capture_default_str();
  cmd->add_option("--steps", a->steps, "Timed steps per measurement (CPU: median; CUDA: mean, run back to back)")
      ->capture_default_str();
  cmd->add_option("--warmup", a->warmup, "Untimed steps first")->capture_default_str();
  cmd->add_option("--M", a->t_full, "M for the images/s estimate of a whole translation")->capture_default_str();
  cmd->add_option("--precision", a->precision, "fp32,tf32,bf16 (autocast): each listed one for the main rows")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--methods", a->methods, "egsde,sdedit: each listed one for the main rows")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--max-batch", a->max_batch,
                  "Also the largest batch that fits (doubling from twice the last --batch up to this; 0: off)")
      ->capture_default_str();
  cmd->add_option("--device", a->device, "cpu | cuda | cuda:N")->capture_default_str();
  cmd->add_option("--conv", a->conv,
                  "direct,winograd: the networks' 3x3 convolutions for the main rows (each listed one; winograd is "
                  "left out with a note where unavailable)")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_flag("--channels-last", a->channels_last, "Networks in the channels-last (NHWC) layout for the main rows");
  cmd->add_flag("--levers", a->levers,
                "Also time the EGSDE step (first batch size) lever by lever from the official way of computing the "
                "guidance, then with 1 thread, channels-last networks, Winograd convolutions and bf16");
  cmd->add_option("--json", a->json, "Write the measurements with provenance as JSON");
  cmd->callback([a] { run(*a); });
}

}  // namespace egsde::cli
