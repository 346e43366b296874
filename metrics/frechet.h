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
  // O(D^3) with a large constant: minutes at D = 2048 on a reference BLAS.
  Reference,
  // Symmetric PSD inputs, exact: S1 = L1 L1^T and S2 = L2 L2^T (Cholesky, or pivoted Cholesky
  // truncated at LAPACK pstrf's tolerance when S is singular, e.g. N <= D samples), then
  // tr sqrt(S1 S2) = sum of singular values of L1^T L2 (r1 x r2). O(D^2 r) for rank r.
  // Non-PSD inputs fall back to Reference (which applies the official imaginary-part check).
  Factored,
  // frechet_distance_features only: L_i = centred features / sqrt(N_i - 1) (N_i x D), no
  // covariance is formed. The same number as Factored on gaussian_statistics(features).
  Features,
};

struct FrechetResult {
  double distance = 0;
  double tr_covmean = 0;      // Re tr sqrt(S1 S2)
  double max_imag = 0;        // largest |Im sqrt(lambda)| seen (official check: <= 1e-3)
  bool used_offset = false;   // the product was singular/non-finite: eps·I was added (official)
  SqrtmMethod method = SqrtmMethod::Factored;
};

// calculate_frechet_distance: mu [D], sigma [D, D]. When the square root is not finite the
// official fallback adds eps·I to both covariances; an imaginary part > 1e-3 is an Error (the
// statistics are not covariances).
FrechetResult frechet_distance(const torch::Tensor& mu1, const torch::Tensor& sigma1, const torch::Tensor& mu2,
                               const torch::Tensor& sigma2, SqrtmMethod method = SqrtmMethod::Factored,
                               double eps = 1e-6);

// The same distance from the features themselves ([N1, D], [N2, D], N >= 2): mu and the traces
// from the features, tr sqrt(S1 S2) as the nuclear norm of the N1 x N2 matrix Xc1 Xc2^T /
// sqrt((N1-1)(N2-1)) (the nonzero eigenvalues of S1 S2 are those of a small product). For N << D
// this is far cheaper than any D x D decomposition.
FrechetResult frechet_distance_features(const torch::Tensor& features1, const torch::Tensor& features2);

// "reference" | "factored" | "features"
std::string to_string(SqrtmMethod m);

}  // namespace egsde::metrics
