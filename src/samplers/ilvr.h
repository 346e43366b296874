// ILVR (Choi et al. 2021) as the ILVR code runs it (github jychoi118/ilvr_adm,
// guided_diffusion/gaussian_diffusion.py p_sample_loop_progressive, ilvr_sample.py in scripts/):
// guided-diffusion's p_sample (samplers/p_sample.h: the model's learned variance for a
// learn_sigma model, else the fixed one; x0 prediction clipped), then for every index i > range_t
//     y ← y − up(down(y)) + up(down(q_sample(x0, i, n))),   n ~ N(0, I) drawn after the step's z,
// with the reference perturbed to the index of the step just taken (i, not i−1) and the ILVR
// code's Resizer pair (its default cubic kernel; make_lowpass(…, ResizeKernel::Cubic)).
//
// Start: the ILVR code generates from pure noise at T (t = T: y = e). t < T starts from the
// source perturbed to t, q_sample(x0, t−1, e), as SDEdit/EGSDE start at M (I2I use; the
// reference is the source). The EGSDE paper reports ILVR as a baseline (Cat→Dog FID 74.37)
// without stating its start time in the material available here (paper slides, official EGSDE
// code).
#pragma once
#include "guidance/resizer.h"
#include "samplers/p_sample.h"

namespace egsde {

struct IlvrConfig {
  int64_t t = 1000;          // start index count; T (the diffusion's length) = pure noise start
  int64_t range_t = 0;       // refine while i > range_t (ILVR --range_t)
  int64_t sample_step = 1;   // repeats, each from the last result (as EGSDE's runner)
  bool clip_denoised = true;  // ILVR --clip_denoised (default True)
  bool check_finite = true;
};

// x0: the reference (and source) batch. `model` returns the network's whole output (EpsModel::
// output). Draws per repeat: e, then per step z and, while i > range_t, the reference noise.
std::vector<torch::Tensor> ilvr_sample(const torch::Tensor& x0, const EpsFn& model, const LowPass& lowpass,
                                       const GaussianDiffusion& d, const IlvrConfig& config, NoiseSource& noise,
                                       const StepObserver& observer = {});

}  // namespace egsde
