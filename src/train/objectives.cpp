#include "train/objectives.h"

namespace egsde::train {

torch::Tensor epsilon_loss(AdmUNetImpl& model, const NoisingCoefficients& c, const torch::Tensor& x0,
                           torch::Generator& gen) {
  const auto t = torch::randint(c.num_timesteps(), {x0.size(0)}, gen, torch::kInt64).to(x0.device());
  const auto noise = torch::randn(x0.sizes(), gen, x0.options().device(torch::kCPU)).to(x0.device());
  const auto eps = model.forward(q_sample(c, x0, t, noise), t);
  return (eps.slice(1, 0, 3) - noise).pow(2).mean();
}

torch::Tensor classifier_loss(FmnistClassifierImpl& net, const torch::Tensor& x01, const torch::Tensor& labels,
                              double* accuracy) {
  const auto logits = net.forward(x01);
  if (accuracy) *accuracy = logits.argmax(1).eq(labels).to(torch::kFloat64).mean().item<double>();
  return torch::nn::functional::cross_entropy(logits, labels);
}

}  // namespace egsde::train
