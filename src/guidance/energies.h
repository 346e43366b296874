// The two EGSDE experts (paper Sec. 3.2; official functions/denoising.egsde_sample):
//   realism   E_s = s1(DSE(y,t), DSE(x_t,t)), pushed down with weight ls,
//   faithful  E_i = s2(LP(y), LP(x_t)), pushed down with weight li, LP = up(down(·)) (Resizer),
// and classifier guidance as one more energy (Dhariwal & Nichol 2021, guided-diffusion's
// cond_fn, written as an energy):
//   classifier E_c = −log softmax(C(y,t))[c], pushed down with weight lc (C: the DSE's train-phase
//   head, a time-conditioned domain classifier; c: the target domain's class).
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <functional>

#include "guidance/energy.h"
#include "guidance/resizer.h"

namespace egsde {

// args.s1: cosine → E = cos_sim(DSE(y), DSE(x_t)); neg_l2 → E = −‖DSE(y) − DSE(x_t)‖².
enum class RealismScore { Cosine, NegL2 };
// args.s2: neg_l2 → E = ‖LP(x_t) − LP(y)‖² (the official name, positive sum of squares);
// cosine → E = −cos_sim(LP(x_t), LP(y)).
enum class FaithfulScore { NegL2, Cosine };

// The domain-specific feature extractor (DSE, phase test): features of x at time t.
using FeatureFn = std::function<torch::Tensor(const torch::Tensor& x, const torch::Tensor& t)>;

// The official cosine_similarity (renamed: at::cosine_similarity is found by ADL): per-pixel cosine over channels (F.normalize, eps 1e-10), summed
// over channels, mean over pixels → [N].
torch::Tensor channel_cosine_similarity(const torch::Tensor& X, const torch::Tensor& Y);
// Official mse: sum of squares per image → [N].
torch::Tensor sum_squares(const torch::Tensor& X, const torch::Tensor& Y);

// How the gradients are computed; the same numbers either way (within float rounding). The
// defaults are the fast choices; `false` does it as the official egsde_sample does, so that
// `egsde bench --levers` can measure what each choice is worth.
struct GuidanceLevers {
  bool frozen_dse = true;           // DSE parameters need no grad: graphs and backward reach y only
  bool xt_outside_autograd = true;  // DSE(x_t) (and LP(x_t)) without autograd (matters when not frozen)
  bool closed_form_lowpass = true;  // s2 = neg_l2: 2·LPᵀ(LP(y) − LP(x_t)) instead of autograd
};

// ∇_y of the realism energy by local autograd, backward to y only (levers.frozen_dse is applied by
// whoever owns the DSE: MethodSampler).
EnergyGrad realism_energy(FeatureFn dse, RealismScore s1, GuidanceLevers levers = {});

// ∇_y of the classifier energy by local autograd to y only; `logits` maps (y, t) to [N, K] and
// 0 <= target_class < K (checked on the first call).
EnergyGrad classifier_energy(FeatureFn logits, int64_t target_class);

// ∇_y of the faithful energy. neg_l2 is quadratic in y: closed form 2·LPᵀ(LP(y) − LP(x_t)), no
// autograd; cosine uses local autograd through the Resizer.
EnergyGrad lowpass_energy(LowPass lowpass, FaithfulScore s2, GuidanceLevers levers = {});

}  // namespace egsde
