// Gaussian statistics of features and the Fréchet distance between two Gaussians
//   d² = ||mu1 - mu2||² + tr(S1) + tr(S2) - 2 tr sqrt(S1 S2)
// as tool/fid.py (pytorch-fid) computes it, in float64.
#pragma once
#include <torch/torch.h>

#include <string>

namespace egsde::metrics {

// Mean and unbiased covariance of [N, D] features, float64 (np.mean(axis=0),
// np.cov(rowvar=False)). Throws egsde::Error for N < 2.
struct Gaussian {
  torch::Tensor mu;     // [D] float64
  torch::Tensor sigma;  // [D, D] float64
};
Gaussian gaussian_statistics(const torch::Tensor& features);

enum class SqrtmMethod {
  // tr sqrt(S1 S2) from the eigenvalues of the (non-symmetric) product, like the Schur-based
  // scipy.linalg.sqrtm of calculate_frechet_distance: sum of Re sqrt(lambda). Any square inputs.
  Reference,
  // Symmetric PSD inputs: eigenvalues of S1^½ S2 S1^½ (two eigh), the same spectrum as S1 S2,
  // all real. Non-symmetric or clearly indefinite inputs fall back to Reference.
  SymmetricEigh,
};

struct FrechetResult {
  double distance = 0;
  double tr_covmean = 0;      // Re tr sqrt(S1 S2)
  double max_imag = 0;        // largest |Im sqrt(lambda)| seen (official check: <= 1e-3)
  bool used_offset = false;   // the product was singular/non-finite: eps·I was added (official)
  SqrtmMethod method = SqrtmMethod::SymmetricEigh;
};

// calculate_frechet_distance: mu [D], sigma [D, D]. When the square root is not finite the
// official fallback adds eps·I to both covariances; an imaginary part > 1e-3 is an Error (the
// statistics are not covariances).
FrechetResult frechet_distance(const torch::Tensor& mu1, const torch::Tensor& sigma1, const torch::Tensor& mu2,
                               const torch::Tensor& sigma2, SqrtmMethod method = SqrtmMethod::SymmetricEigh,
                               double eps = 1e-6);

std::string to_string(SqrtmMethod m);

}  // namespace egsde::metrics
