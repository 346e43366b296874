// One translation method ready to sample: the score network, the DSE and the energies built
// from an official profile on one device (what runners/egsde.py sets up before its loop), plus
// the source loading both `egsde translate` and `egsde run` share.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/precision.h"
#include "translate/profile.h"
#include "guidance/energies.h"
#include "models/winograd.h"
#include "models/eps_fn.h"
#include "samplers/noise.h"

namespace egsde {

// egsde: Algorithm 1 (with ls = li = 0 it runs the SDEdit path: same numbers, no energy work),
// plus classifier guidance when lc is not 0; sdedit: EGSDE with ls = li = lc = 0; ilvr: ILVR as the ILVR code runs it (samplers/ilvr.h; the profile's down_N), from t.
enum class Method { Egsde, Sdedit, Ilvr };

Method parse_method(const std::string& s);
std::string to_string(Method m);

// Whether `m` loads the DSE: only EGSDE's realism expert (λs ≠ 0) and classifier guidance (λc ≠ 0) use it.
bool needs_dse(Method m, const ProfileArgs& args);

struct MethodSamplerOptions {
  Method method = Method::Egsde;
  int64_t respace = 0;  // 0: the full schedule; K: K evenly spaced steps (guided-diffusion respacing)
  torch::Device device = torch::kCPU;
  // The low-pass of each image on its own (batch-invariant; needed by per-sample noise) instead
  // of the official Resizer over the whole batch.
  bool per_image_lowpass = true;
  // fp32 (official, parity) | tf32 | bf16 autocast of the network forwards; samples stay float32.
  Precision precision = Precision::Fp32;
  // Networks in the channels-last (NHWC) layout (models/network.h use_channels_last).
  bool channels_last = false;
  // 3×3 stride-1 convolutions of the networks: direct (LibTorch, = official) or Winograd
  // (oneDNN on AVX-512 CPUs; models/winograd.h). Winograd where it is unavailable is an error.
  ConvAlgo conv = ConvAlgo::Direct;
  GuidanceLevers levers;  // all fast by default; egsde bench --levers turns them off one by one
};

class MethodSampler {
 public:
  // Loads the networks named by the profile (strictly) onto options.device. Throws egsde::Error.
  MethodSampler(const Profile& profile, const MethodSamplerOptions& options);
  ~MethodSampler();
  MethodSampler(const MethodSampler&) = delete;
  MethodSampler& operator=(const MethodSampler&) = delete;

  // x0: [n, 3, S, S] in [−1, 1] on the device. One result per args.sample_step repeat.
  std::vector<torch::Tensor> sample(const torch::Tensor& x0, NoiseSource& noise, const StepObserver& observer) const;

  int64_t steps() const;  // reverse steps per repeat (args.t, or its respaced count)
  int64_t image_size() const;  // data.image_size: the sources are loaded at this size
  torch::Device device() const;
  // The draws the official runner's generator makes before the first batch (the networks'
  // default initialisation, score model first, then the DSE) — for --rng official.
  std::vector<InitDraw> init_draws() const;
  // Noise tensors one batch consumes (per repeat: e, one z per step, ILVR's reference noise).
  int64_t draws_per_batch() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The source images as the official DataLoader stacks them: [n, 3, S, S] in [−1, 1] on the CPU
// (grayscale/alpha converted, decoder warnings: one "egsde: warning: PATH: …" line per file and
// process, none when `quiet`; a non-square result is an error).
torch::Tensor load_sources(const std::vector<std::filesystem::path>& paths, int64_t image_size, bool quiet = false);

// One batch as `egsde translate` and `egsde run` translate it: the source files loaded
// (load_sources), sampled on the sampler's device with `noise`, and returned on the CPU in
// float32, one [n, 3, S, S] per args.sample_step repeat (runners/egsde.py's loop body).
std::vector<torch::Tensor> translate_files(const MethodSampler& sampler, const std::vector<std::filesystem::path>& paths,
                                           NoiseSource& noise, const StepObserver& observer = {}, bool quiet = false);

}  // namespace egsde
