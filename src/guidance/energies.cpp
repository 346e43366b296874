#include "guidance/energies.h"

#include <string>

#include "core/error.h"

namespace egsde {
namespace {

torch::Tensor normalize_channels(const torch::Tensor& x) {
  namespace F = torch::nn::functional;
  return F::normalize(x, F::NormalizeFuncOptions().p(2).dim(1).eps(1e-10));
}

// ∇_y of energy(f(y)) where `energy` maps f(y) to [N]; gradient to y only.
template <typename Fn>
torch::Tensor grad_to_input(const torch::Tensor& y, Fn&& energy_of) {
  torch::AutoGradMode enable(true);
  auto yg = y.detach().requires_grad_(true);
  auto energy = energy_of(yg);
  return torch::autograd::grad(std::vector<torch::Tensor>{energy.sum()}, std::vector<torch::Tensor>{yg})[0]
      .detach();
}

}  // namespace

torch::Tensor channel_cosine_similarity(const torch::Tensor& X, const torch::Tensor& Y) {
  const int64_t b = X.size(0), c = X.size(1);
  auto x = X.reshape({b, c, -1});
  auto y = Y.reshape({b, c, -1});
  auto corr = normalize_channels(x) * normalize_channels(y);
  return corr.sum(1).mean(1);
}

torch::Tensor sum_squares(const torch::Tensor& X, const torch::Tensor& Y) {
  return (X - Y).square().sum({1, 2, 3});
}

EnergyGrad realism_energy(FeatureFn dse, RealismScore s1, GuidanceLevers levers) {
  return [dse = std::move(dse), s1, levers](const torch::Tensor& y, const torch::Tensor& xt,
                                            const torch::Tensor& t) {
    return grad_to_input(y, [&](const torch::Tensor& yg) {
      auto Y = dse(yg, t);
      torch::Tensor X;
      {
        // official: DSE(x_t) inside the same grad-enabled context (a graph nobody uses)
        torch::AutoGradMode grad_mode(!levers.xt_outside_autograd);
        X = dse(xt, t);
      }
      return s1 == RealismScore::Cosine ? channel_cosine_similarity(Y, X) : -sum_squares(Y, X);
    });
  };
}

EnergyGrad classifier_energy(FeatureFn logits, int64_t target_class) {
  return [logits = std::move(logits), target_class](const torch::Tensor& y, const torch::Tensor&, const torch::Tensor& t) {
    return grad_to_input(y, [&](const torch::Tensor& yg) {
      // float32 log-probabilities also under bf16 autocast (a no-op in fp32 and float64)
      auto l = logits(yg, t);
      if (l.scalar_type() != torch::kDouble) l = l.to(torch::kFloat32);
      const auto lp = torch::log_softmax(l, 1);
      if (target_class < 0 || target_class >= lp.size(1))
        throw Error("classifier guidance: class " + std::to_string(target_class) + " is not one of the classifier's " +
                    std::to_string(lp.size(1)) + " classes (0.." + std::to_string(lp.size(1) - 1) + ")");
      return -lp.select(1, target_class);
    });
  };
}

EnergyGrad lowpass_energy(LowPass lp, FaithfulScore s2, GuidanceLevers levers) {
  if (s2 == FaithfulScore::NegL2 && levers.closed_form_lowpass) {
    return [lp = std::move(lp)](const torch::Tensor& y, const torch::Tensor& xt, const torch::Tensor&) {
      torch::NoGradGuard no_grad;
      return lp.adjoint(2 * (lp(y) - lp(xt)));
    };
  }
  return [lp = std::move(lp), s2, levers](const torch::Tensor& y, const torch::Tensor& xt, const torch::Tensor&) {
    return grad_to_input(y, [&](const torch::Tensor& yg) {
      torch::Tensor X;
      {
        torch::AutoGradMode grad_mode(!levers.xt_outside_autograd);
        X = lp(xt);
      }
      auto Y = lp(yg);
      return s2 == FaithfulScore::Cosine ? -channel_cosine_similarity(X, Y) : sum_squares(X, Y);
    });
  };
}

}  // namespace egsde
