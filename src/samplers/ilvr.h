// ILVR (Choi et al. 2021, github jychoi118/ilvr_adm, p_sample_loop_progressive): after each
// reverse step the low frequencies of the sample are replaced by those of the reference
// perturbed with fresh noise:
//     y ← y − LP(y) + LP(q_sample(x0, i, n)),   n ~ N(0, I) drawn after the step's z,
// for every step index i > range_t. As in the ILVR code, the reference is perturbed to the
// index of the step just taken (i, not i−1); LP is the same Resizer pair (down_N) as EGSDE's
// faithful expert.
//
// Start time: the ILVR code generates from pure noise at T (t = T here: y = e, the default).
// The EGSDE paper reports ILVR as a baseline (Cat→Dog FID 74.37) without stating its start time
// in the material available here (paper slides, official EGSDE code); EGSDE and SDEdit there
// start at M = 0.5T. `t` < T starts from the perturbed source √ᾱ·x0 + √(1−ᾱ)·e like SDEdit.
//
// The reverse step is this project's (ε-form mean, fixed variance from the schedule), the same
// as EGSDE/SDEdit; the ILVR code's p_sample instead uses the model's learned variance and clips
// the predicted x0 to [−1, 1], so results differ from it even at equal noise.
#pragma once
#include "guidance/resizer.h"
#include "samplers/egsde.h"

namespace egsde {

struct IlvrConfig {
  int64_t t = 1000;        // start index count; T (the schedule length) = pure noise start
  int64_t range_t = 0;     // refine while i > range_t (ILVR --range_t)
  int64_t sample_step = 1;  // repeats, each from the last result (as EGSDE's runner)
  bool check_finite = true;
};

std::vector<torch::Tensor> ilvr_sample(const torch::Tensor& x0, const EpsFn& eps_fn, const LowPass& lowpass,
                                       const Schedule& s, const IlvrConfig& config, NoiseSource& noise,
                                       const StepObserver& observer = {});

}  // namespace egsde
