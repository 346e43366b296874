// EGSDE sampling (paper Algorithm 1, VP-EGSDE of Appendix A.3) exactly as the official code:
// runners/egsde.py (outer loop) + functions/denoising.egsde_sample (one step).
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <vector>

#include "diffusion/schedule.h"
#include "guidance/energy.h"
#include "models/eps_fn.h"
#include "samplers/noise.h"

namespace egsde {

struct EgsdeConfig {
  int64_t t = 500;          // M, the start (official args.t), in schedule indices
  int64_t sample_step = 1;  // official args.sample_step: repeats, each from the last result
  bool check_finite = true;  // throw egsde::Error naming the step on NaN/Inf
};

// Throws egsde::Error unless the start t (the official args.t, M) lies in [1, T] of `s`.
void check_start(const Schedule& s, int64_t t);
void check_start(int64_t num_timesteps, int64_t t);

// x_i = √ᾱ_i·x0 + √(1−ᾱ_i)·e (q_sample, the official op order).
torch::Tensor perturb(const Schedule& s, int64_t i, const torch::Tensor& x0, const torch::Tensor& e);

// One reverse step at index i (official egsde_sample):
//   mean = (y − β_i/√(1−ᾱ_i)·ε̂(y,t)) / √α_i
//   mean −= λ_k · β_i/√α_i · ∇_y E_k(y, x_t, t)   for each energy (skipped when empty)
//   y'   = mean + [i≠0]·exp(½ logvar_i)·z,  z drawn every step, also at i = 0.
// `xt` may be undefined when `energies` is empty.
torch::Tensor egsde_step(const EpsFn& eps_fn, const std::vector<WeightedEnergy>& energies,
                         const Schedule& s, int64_t i, const torch::Tensor& y, const torch::Tensor& xt,
                         NoiseSource& noise);

// Translates a batch x0 ([N,3,H,W] in [−1,1]). Per repeat: e = noise (one per batch),
// y = perturb(M−1, y0, e), then steps M−1 … 0 with x_i = perturb(i, x0, e) (the same e);
// the next repeat starts from this result (y0 ← y) while x_i still perturbs the source.
// Returns the raw float result of every repeat.
std::vector<torch::Tensor> egsde_sample(const torch::Tensor& x0, const EpsFn& eps_fn,
                                        const std::vector<WeightedEnergy>& energies,
                                        const Schedule& s, const EgsdeConfig& config,
                                        NoiseSource& noise, const StepObserver& observer = {});

// The repeat loop around a sampler's steps (runners/egsde.py's, shared by EGSDE, SDEdit and
// ILVR): per repeat e = noise.randn_like(y0) (one per batch), y = start(y0, e), then
// y = step(i, y, e) for i = t−1 … 0 with the NaN/Inf check and the observer; the next repeat
// starts from this result (y0 ← y). Returns every repeat's result. Runs under no-grad.
using RepeatStart = std::function<torch::Tensor(const torch::Tensor& y0, const torch::Tensor& e)>;
using RepeatStep = std::function<torch::Tensor(int64_t i, const torch::Tensor& y, const torch::Tensor& e)>;
std::vector<torch::Tensor> sample_repeats(const torch::Tensor& x0, int64_t t, int64_t repeats, bool check_finite,
                                          NoiseSource& noise, const RepeatStart& start, const RepeatStep& step,
                                          const StepObserver& observer);

// Network times for step i: [n] float filled with timestep_map[i] (official torch.ones(n)·i).
torch::Tensor step_times(const Schedule& s, int64_t i, int64_t n, const torch::Device& device);

// The samplers' NaN/Inf check (EgsdeConfig::check_finite); the error (egsde::Error) names the
// repeat and the first non-finite step. On the CPU every step is checked at once. On CUDA reading a flag back each step would stall the launch queue, so
// the first non-finite step is recorded on the device and read every kReadEvery steps and at
// finish(): the error names the same step, at most kReadEvery steps later.
class FiniteCheck {
 public:
  static constexpr int64_t kReadEvery = 50;
  // deferred_on_cpu: the CUDA way on the CPU too (tests of the deferred bookkeeping)
  explicit FiniteCheck(bool enabled, bool deferred_on_cpu = false) : enabled_(enabled), deferred_cpu_(deferred_on_cpu) {}
  void after_step(const torch::Tensor& y, int64_t repeat, int64_t i);  // i: the step just taken
  void finish(int64_t repeat);                                          // end of a repeat

 private:
  bool enabled_, deferred_cpu_;
  int64_t steps_ = 0;
  torch::Tensor first_bad_;  // int64 on y's device, −1 while every step was finite
};

}  // namespace egsde
