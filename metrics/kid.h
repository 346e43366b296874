// Kernel Inception Distance (Binkowski et al. 2018, "Demystifying MMD GANs"): the unbiased MMD²
// estimate with the polynomial kernel k(x, y) = (x·y / D + 1)³ over Inception pool3 features,
// averaged over random subsets. An extra metric (the EGSDE paper reports FID only); defaults as
// torch-fidelity / clean-fid: 100 subsets of min(1000, N_a, N_b) images each.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace egsde::metrics {

// Unbiased MMD² between two equally sized feature sets x, y [m, D] (m >= 2), float64:
//   (sum_{i!=j} k(x_i,x_j) + sum_{i!=j} k(y_i,y_j)) / (m(m-1)) - 2 sum_{i,j} k(x_i,y_j) / m²
// (torch-fidelity kid.mmd2 with mmd_est='unbiased').
double mmd2_unbiased_poly3(const torch::Tensor& x, const torch::Tensor& y);

struct KidOptions {
  int64_t subsets = 100;
  int64_t subset_size = 1000;  // capped at min(N_a, N_b)
  uint64_t seed = 0;
};

struct KidResult {
  double mean = 0;
  double std = 0;  // population std over subsets (np.std, ddof 0), as torch-fidelity's kid_std
  int64_t subsets = 0;
  int64_t subset_size = 0;
  std::vector<double> values;  // MMD² per subset
};

// Subset s draws, from one CPU generator seeded with `seed`, randperm(N_a)[:m] then
// randperm(N_b)[:m] (sampling without replacement). Throws egsde::Error when a side has fewer
// than 2 features or the dimensions differ.
KidResult kernel_inception_distance(const torch::Tensor& features_a, const torch::Tensor& features_b,
                                    const KidOptions& opt = {});

// The same with explicit subsets: index tensors (int64, each [m]) into a and b.
KidResult kernel_inception_distance(const torch::Tensor& features_a, const torch::Tensor& features_b,
                                    const std::vector<torch::Tensor>& subsets_a,
                                    const std::vector<torch::Tensor>& subsets_b);

}  // namespace egsde::metrics
