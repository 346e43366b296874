// The losses of the demo's three trainings (issue 7), each on a minibatch of in-memory images.
#pragma once
#include <torch/torch.h>

#include "diffusion/schedule.h"
#include "models/adm_encoder.h"
#include "models/adm_unet.h"
#include "models/fmnist_classifier.h"

namespace egsde::train {

// q(x_t | x_0) = N(√ᾱ_t x_0, (1 − ᾱ_t) I) (guided_diffusion GaussianDiffusion.q_sample).
torch::Tensor q_sample(const Schedule& s, const torch::Tensor& x0, const torch::Tensor& t, const torch::Tensor& noise);

// The DDPM simple loss (Ho et al. 2020, eq. 14; training_losses with LossType.MSE):
// t ~ U{0..T−1}, ε ~ N(0, I), ‖ε − ε_θ(x_t, t)‖² averaged. x0 in [−1, 1] on the model's device;
// t and ε come from the CPU generator `gen`.
torch::Tensor epsilon_loss(AdmUNetImpl& model, const Schedule& s, const torch::Tensor& x0, torch::Generator& gen);

// run_train_dse.py forward_backward_log with noised=True: x_t = q_sample(x0, t), t uniform
// (schedule_sampler 'uniform'), cross-entropy of DSE_train's logits. Also returns top-1 accuracy.
torch::Tensor dse_loss(AdmDseImpl& dse, const Schedule& s, const torch::Tensor& x0, const torch::Tensor& labels,
                       torch::Generator& gen, double* accuracy);

// Cross-entropy on clean images in [0, 1]; also returns top-1 accuracy.
torch::Tensor classifier_loss(FmnistClassifierImpl& net, const torch::Tensor& x01, const torch::Tensor& labels,
                              double* accuracy);

}  // namespace egsde::train
