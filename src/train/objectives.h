// The losses of the score model's and the demo classifier's trainings, each on a minibatch of
// in-memory images (the DSE's step is train/dse_step.h).
#pragma once
#include <torch/torch.h>

#include "models/adm_unet.h"
#include "models/fmnist_classifier.h"
#include "train/noising.h"

namespace egsde::train {

// The DDPM simple loss (Ho et al. 2020, eq. 14; guided_diffusion training_losses with
// LossType.MSE): t ~ U{0..T−1} (schedule_sampler 'uniform'), ε ~ N(0, I),
// ‖ε − ε_θ(q_sample(x0, t, ε), t)‖² averaged. x0 in [−1, 1] on the model's device; t and then
// ε are drawn from the CPU generator `gen` (the same draws on any device).
torch::Tensor epsilon_loss(AdmUNetImpl& model, const NoisingCoefficients& c, const torch::Tensor& x0,
                           torch::Generator& gen);

// Cross-entropy on clean images in [0, 1]; also returns top-1 accuracy.
torch::Tensor classifier_loss(FmnistClassifierImpl& net, const torch::Tensor& x01, const torch::Tensor& labels,
                              double* accuracy);

}  // namespace egsde::train
