// One optimizer step of the DSE's training as run_train_dse.py takes it (noised=True, fp32):
// forward_backward_log (x_t = q_sample(x_0, t, noise) on the whole batch, then per microbatch
// the train-phase logits, cross-entropy, backward of mean·len(sub)/len(batch), gradients
// zeroed before the first) and MixedPrecisionTrainer._optimize_normal (the norms it logs, then
// opt.step()), with the learning rate set_annealed_lr gives the step. The batch, t and noise are
// arguments, so a test can inject the official fixture's; the command draws them (train-dse).
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "core/precision.h"
#include "models/adm_encoder.h"
#include "train/noising.h"

namespace egsde::train {

struct DseStepInput {
  torch::Tensor x0;      // float32 [B, 3, S, S] in [−1, 1] (after the train transform)
  torch::Tensor labels;  // int64 [B]
  torch::Tensor t;       // int64 [B], the schedule sampler's draw
  torch::Tensor noise;   // float32 like x0, q_sample's noise
};

struct DseStepStats {
  double loss = 0;        // mean cross-entropy over the batch (train_loss)
  double accuracy = 0;    // top-1 (train_acc@1)
  double grad_norm = 0;   // ‖∇‖₂ over all parameters before the step (logged grad_norm)
  double param_norm = 0;  // ‖θ‖₂ before the step (logged param_norm)
};

// `dse` in phase Train; `opt` over its parameters (AdamW); microbatch −1 (or ≥ B): the whole
// batch at once. The inputs are moved to the DSE's device.
//
// `replicas`: further copies of the DSE (same config), one per further device, as the official
// DataParallel/DDP splits a batch over GPUs: before the step each takes `dse`'s parameters and
// buffers; each microbatch is cut into 1 + len(replicas) contiguous shards (torch.chunk), shard
// k runs on device k (k = 0: `dse`; the shards run concurrently, one thread each) and the
// replicas' gradients are then added into `dse`'s in shard order. The loss weights are those of
// the one-device step, so the step equals it up to float rounding (the order of the sums).
//
// `precision`: the forward passes under core/precision.h's scope on each shard's thread (bf16:
// autocast, the logits cast to float32 for the loss; opt-in, the official training is fp32); the
// loss, gradients and AdamW stay float32.
DseStepStats dse_train_step(AdmDseImpl& dse, torch::optim::Optimizer& opt, const NoisingCoefficients& c,
                            const DseStepInput& in, int64_t microbatch, double lr,
                            const std::vector<AdmDseImpl*>& replicas = {}, Precision precision = Precision::Fp32);

}  // namespace egsde::train
