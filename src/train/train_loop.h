// The training loop the demo's three `egsde train-*` commands share: AdamW (optionally with
// run_train_dse.py's linear lr annealing), an optional EMA, progress with loss and ETA, and a
// resumable state file written atomically every `save_every` steps (model, optimizer, EMA, step,
// random generator, wall time) so that an interrupted run continues exactly where it stopped.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "core/checkpoint.h"

namespace egsde::train {

struct TrainConfig {
  int64_t iterations = 1000;
  int64_t batch_size = 32;
  double lr = 3e-4;
  double weight_decay = 0.0;
  bool anneal_lr = false;  // lr·(1 − step/iterations), run_train_dse.py set_annealed_lr
  double ema_rate = 0.0;   // 0: no EMA; else the returned weights are the EMA's (train_util.py)
  int64_t save_every = 250;
  uint64_t seed = 0;
  bool quiet = false;
  // Further settings a resume must match and the provenance records (train-dse --domains:
  // microbatch, domains, …); left out of to_json() when empty.
  nlohmann::json extra = nlohmann::json::object();

  nlohmann::json to_json() const;
};

// The learning rate of step `step` (0-based): config.lr, or with anneal_lr
// run_train_dse.py set_annealed_lr's lr·(1 − step/iterations).
double step_lr(const TrainConfig& config, int64_t step);

// The loss of one minibatch, which the function draws from `gen` (the loop does zero_grad,
// backward and the optimizer step). May also fill `log` with extra scalars (e.g. accuracy).
using LossFn = std::function<torch::Tensor(torch::Generator& gen, nlohmann::json& log)>;

// One whole optimizer step at learning rate `lr` (the base lr, or annealed): the function sets
// the lr, zeroes the gradients, draws its batch from `gen`, runs forward and backward (in
// microbatches if it likes) and calls opt.step(); returns the step's loss. May fill `log`.
using StepFn = std::function<double(torch::Generator& gen, torch::optim::Optimizer& opt, double lr, nlohmann::json& log)>;

struct TrainResult {
  int64_t iterations = 0;
  double final_loss = 0;   // mean loss over the last min(100, iterations) steps
  nlohmann::json final_log; // mean of each extra scalar over the same window
  double seconds = 0;      // wall time of all sessions of this run (resumes included)
  int64_t resumed_at = 0;  // the step the run resumed from (0: fresh)
  StateDict weights;       // EMA weights when ema_rate > 0, else the trained ones
};

// Trains `module` (already initialised from config.seed by the caller) with `loss_fn`.
// `state_file`: resume point; if it exists the run continues from it (it must have been made
// with the same config, iterations excepted). `what` names the command in progress lines.
TrainResult train(torch::nn::Module& module, const LossFn& loss_fn, const TrainConfig& config,
                  const std::filesystem::path& state_file, const std::string& what);

// The same loop around a whole step (AdamW over module.parameters(), annealing, EMA, state,
// progress); `train` is this with a step of zero_grad, loss_fn, backward and opt.step().
TrainResult train_steps(torch::nn::Module& module, const StepFn& step_fn, const TrainConfig& config,
                        const std::filesystem::path& state_file, const std::string& what);

}  // namespace egsde::train
