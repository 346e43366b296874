#include "train/objectives.h"

namespace egsde::train {

torch::Tensor q_sample(const Schedule& s, const torch::Tensor& x0, const torch::Tensor& t, const torch::Tensor& noise) {
  const auto ab = s.alphas_cumprod.to(x0.device()).index_select(0, t).view({-1, 1, 1, 1});
  return ab.sqrt() * x0 + (1 - ab).sqrt() * noise;
}

namespace {
torch::Tensor uniform_t(const Schedule& s, int64_t n, torch::Generator& gen) {
  return torch::randint(s.num_timesteps(), {n}, gen, torch::kInt64);
}
double top1(const torch::Tensor& logits, const torch::Tensor& labels) {
  return logits.argmax(1).eq(labels).to(torch::kFloat64).mean().item<double>();
}
}  // namespace

torch::Tensor epsilon_loss(AdmUNetImpl& model, const Schedule& s, const torch::Tensor& x0, torch::Generator& gen) {
  // drawn on the CPU generator, then moved to the model's device (the same draws on any device)
  const auto t = uniform_t(s, x0.size(0), gen).to(x0.device());
  const auto noise = torch::randn(x0.sizes(), gen, x0.options().device(torch::kCPU)).to(x0.device());
  const auto eps = model.forward(q_sample(s, x0, t, noise), t);
  return (eps.slice(1, 0, 3) - noise).pow(2).mean();
}

torch::Tensor dse_loss(AdmDseImpl& dse, const Schedule& s, const torch::Tensor& x0, const torch::Tensor& labels,
                       torch::Generator& gen, double* accuracy) {
  const auto t = uniform_t(s, x0.size(0), gen);
  const auto noise = torch::randn(x0.sizes(), gen, x0.options());
  const auto logits = dse.logits(q_sample(s, x0, t, noise), t);
  if (accuracy) *accuracy = top1(logits, labels);
  return torch::nn::functional::cross_entropy(logits, labels);
}

torch::Tensor classifier_loss(FmnistClassifierImpl& net, const torch::Tensor& x01, const torch::Tensor& labels,
                              double* accuracy) {
  const auto logits = net.forward(x01);
  if (accuracy) *accuracy = top1(logits, labels);
  return torch::nn::functional::cross_entropy(logits, labels);
}

}  // namespace egsde::train
