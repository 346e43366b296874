#include "train/dse_step.h"

#include <cmath>

#include "core/error.h"

namespace egsde::train {

NoisingCoefficients noising_coefficients(const torch::Tensor& betas_f64) {
  const auto betas = betas_f64.to(torch::kFloat64);
  // GaussianDiffusion.__init__: alphas_cumprod = cumprod(1 − β); SpacedDiffusion keeping every
  // step: β'_i = 1 − ᾱ_i / ᾱ_{i−1} (ᾱ_{−1} = 1), then the base class on β'.
  const auto ab0 = torch::cumprod(1.0 - betas, 0);
  const auto prev = torch::cat({torch::ones({1}, torch::kFloat64), ab0.slice(0, 0, -1)});
  const auto ab = torch::cumprod(1.0 - (1.0 - ab0 / prev), 0);
  return {ab.sqrt().to(torch::kFloat32), (1.0 - ab).sqrt().to(torch::kFloat32)};
}

torch::Tensor q_sample(const NoisingCoefficients& c, const torch::Tensor& x0, const torch::Tensor& t,
                       const torch::Tensor& noise) {
  const auto gather = [&](const torch::Tensor& a) {
    return a.to(x0.device()).index_select(0, t.to(x0.device())).view({-1, 1, 1, 1});
  };
  return gather(c.sqrt_alphas_cumprod) * x0 + gather(c.sqrt_one_minus_alphas_cumprod) * noise;
}

namespace {
// MixedPrecisionTrainer._compute_norms: the square root of the sum of every parameter's squared
// float32 2-norm (of the values, and of the gradients where there are any).
std::pair<double, double> norms(torch::optim::Optimizer& opt) {
  std::vector<torch::Tensor> p, g;
  for (auto& group : opt.param_groups())
    for (auto& t : group.params()) {
      p.push_back(t.detach().norm(2).to(torch::kFloat64));
      if (t.grad().defined()) g.push_back(t.grad().norm(2).to(torch::kFloat64));
    }
  const auto sq = [](const std::vector<torch::Tensor>& v) {
    return v.empty() ? 0.0 : std::sqrt(torch::stack(v).pow(2).sum().item<double>());
  };
  return {sq(g), sq(p)};
}
}  // namespace

DseStepStats dse_train_step(AdmDseImpl& dse, torch::optim::Optimizer& opt, const NoisingCoefficients& c,
                            const DseStepInput& in, int64_t microbatch, double lr) {
  if (dse.phase() != DsePhase::Train) throw Error("dse_train_step: the DSE must be in phase train (logits)");
  const torch::Device dev = dse.parameters().front().device();
  for (auto& group : opt.param_groups()) group.options().set_lr(lr);  // set_annealed_lr
  const auto x0 = in.x0.to(dev), labels = in.labels.to(dev), t = in.t.to(dev), noise = in.noise.to(dev);
  const auto xt = q_sample(c, x0, t, noise);
  const int64_t n = xt.size(0);
  const int64_t mb = (microbatch == -1 || microbatch >= n) ? n : microbatch;
  if (mb <= 0) throw Error("--microbatch must be positive or -1 (the whole batch)");
  torch::Tensor loss_sum = torch::zeros({}, torch::TensorOptions().dtype(torch::kFloat64).device(dev));
  torch::Tensor right = torch::zeros({}, torch::TensorOptions().dtype(torch::kInt64).device(dev));
  for (int64_t i = 0; i < n; i += mb) {
    const int64_t j = std::min(i + mb, n);
    const auto sub_labels = labels.slice(0, i, j);
    const auto logits = dse.logits(xt.slice(0, i, j), t.slice(0, i, j));
    const auto loss = torch::nn::functional::cross_entropy(
        logits, sub_labels, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone));
    loss_sum += loss.detach().to(torch::kFloat64).sum();
    right += logits.detach().argmax(1).eq(sub_labels).sum();
    if (i == 0) opt.zero_grad();
    (loss.mean() * static_cast<double>(j - i) / static_cast<double>(n)).backward();
  }
  DseStepStats s;
  std::tie(s.grad_norm, s.param_norm) = norms(opt);
  opt.step();
  s.loss = loss_sum.item<double>() / static_cast<double>(n);
  s.accuracy = static_cast<double>(right.item<int64_t>()) / static_cast<double>(n);
  if (!std::isfinite(s.loss)) throw Error("train-dse: the loss is not finite; lower --lr");
  return s;
}

}  // namespace egsde::train
