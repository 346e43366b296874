#include "metrics/frechet.h"

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <limits>
#include <sstream>
#include <vector>

#include "core/error.h"

namespace egsde::metrics {
namespace {

struct Trace {
  double real = 0, max_imag = 0;
  bool finite = true;
  bool not_psd = false;  // factored path only: a covariance is not PSD
};

// Reference: eigenvalues of the general product (LAPACK geev = Hessenberg + QR, the Schur form
// scipy's sqrtm starts from); tr sqrtm(A) = sum sqrt(lambda) on the principal branch, and the
// official `.real` keeps its real part.
Trace trace_sqrt_product(const torch::Tensor& s1, const torch::Tensor& s2) {
  const auto lambda = torch::linalg_eigvals(torch::matmul(s1, s2));
  Trace t;
  if (!torch::isfinite(lambda).all().item<bool>()) {
    t.finite = false;
    return t;
  }
  const auto root = torch::sqrt(lambda);
  t.real = torch::real(root).sum().item<double>();
  t.max_imag = torch::imag(root).abs().max().item<double>();
  return t;
}

// Lower factor L [D, r] with S = L L^T for a symmetric PSD S, or an undefined tensor when S is
// not PSD. Positive definite: Cholesky (LAPACK potrf). Singular (e.g. N <= D samples): Cholesky
// with diagonal pivoting (LAPACK pstrf's algorithm, rows kept in their original order) stopped
// when the largest remaining diagonal is <= D * eps * max diag(S), pstrf's default tolerance.
torch::Tensor psd_factor(const torch::Tensor& s) {
  const int64_t d = s.size(0);
  {
    auto [l, info] = torch::linalg_cholesky_ex(s);
    if (info.item<int64_t>() == 0) return l;
  }
  const double scale = std::max(s.diagonal().abs().max().item<double>(), 1e-300);
  const double tol = static_cast<double>(d) * std::numeric_limits<double>::epsilon() * scale;
  auto lt = torch::zeros({d, d}, s.options());  // row k = column k of L
  auto res = s.diagonal().clone();               // diagonal of S - L L^T
  auto res_a = res.accessor<double, 1>();
  std::vector<char> used(d, 0);
  int64_t r = 0;
  for (; r < d; ++r) {
    int64_t j = -1;
    for (int64_t i = 0; i < d; ++i) {
      if (!used[i] && (j < 0 || res_a[i] > res_a[j])) j = i;
    }
    if (res_a[j] <= tol) break;
    auto col = r == 0 ? s.select(1, j).clone() : s.select(1, j) - torch::mv(lt.slice(0, 0, r).t(), lt.select(1, j).slice(0, 0, r));
    col /= std::sqrt(res_a[j]);
    used[j] = 1;
    auto col_a = col.accessor<double, 1>();
    for (int64_t i = 0; i < d; ++i) {
      if (used[i] && i != j) col_a[i] = 0;  // rows already pivoted are exactly 0 in exact arithmetic
    }
    lt[r].copy_(col);
    res -= col * col;
    res_a[j] = 0;
  }
  // Not PSD: a clearly negative remaining diagonal, or a remainder S - L L^T that is not ~0
  // (checked on a few fixed probe vectors; a PSD remainder has norm <= D * tol).
  for (int64_t i = 0; i < d; ++i) {
    if (!used[i] && res_a[i] < -1e-8 * scale) return {};
  }
  const auto l = lt.slice(0, 0, r).t();
  auto g = at::make_generator<at::CPUGeneratorImpl>(12345);
  const auto z = torch::randn({d, 4}, g, s.options());
  const auto rem = torch::matmul(s, z) - torch::matmul(l, torch::matmul(l.t(), z));
  if (rem.abs().max().item<double>() > 1e-6 * scale * z.abs().max().item<double>() * std::sqrt(static_cast<double>(d))) {
    return {};
  }
  return l;
}

// sum of singular values of a^T b: the nonzero eigenvalues of (a a^T)(b b^T) are the squared
// singular values of a^T b, so tr sqrt(S1 S2) = ||L1^T L2||_* exactly (all real, >= 0).
double nuclear_norm_of_product(const torch::Tensor& a, const torch::Tensor& b) {
  if (a.size(1) == 0 || b.size(1) == 0) return 0;
  return torch::linalg_svdvals(torch::matmul(a.t(), b)).sum().item<double>();
}

// Factored: see SqrtmMethod::Factored. Non-PSD input -> not_psd (the caller uses Reference).
Trace trace_sqrt_factored(const torch::Tensor& s1, const torch::Tensor& s2) {
  Trace t;
  const auto l1 = psd_factor((s1 + s1.t()) / 2);
  const auto l2 = l1.defined() ? psd_factor((s2 + s2.t()) / 2) : torch::Tensor();
  if (!l2.defined()) {
    t.not_psd = true;
    return t;
  }
  t.real = nuclear_norm_of_product(l1, l2);
  t.finite = std::isfinite(t.real);
  return t;
}

bool is_symmetric(const torch::Tensor& s) {
  const double scale = s.abs().max().item<double>();
  return (s - s.t()).abs().max().item<double>() <= 1e-10 * std::max(scale, 1e-300);
}

}  // namespace

Gaussian gaussian_statistics(const torch::Tensor& features) {
  TORCH_CHECK(features.dim() == 2, "gaussian_statistics wants [N, D] features");
  const int64_t n = features.size(0);
  if (n < 2) {
    throw Error("FID statistics need at least 2 images (got " + std::to_string(n) +
                "); the covariance of one sample is undefined");
  }
  const auto x = features.to(torch::kFloat64);
  Gaussian g;
  g.mu = x.mean(0);
  const auto xc = x - g.mu;
  g.sigma = torch::matmul(xc.t(), xc) / static_cast<double>(n - 1);
  return g;
}

std::string to_string(SqrtmMethod m) {
  switch (m) {
    case SqrtmMethod::Reference: return "reference";
    case SqrtmMethod::Factored: return "factored";
    case SqrtmMethod::Features: return "features";
  }
  return "?";
}

FrechetResult frechet_distance(const torch::Tensor& mu1_in, const torch::Tensor& sigma1_in, const torch::Tensor& mu2_in,
                               const torch::Tensor& sigma2_in, SqrtmMethod method, double eps) {
  const auto mu1 = mu1_in.to(torch::kFloat64).reshape({-1}), mu2 = mu2_in.to(torch::kFloat64).reshape({-1});
  const auto d = mu1.size(0);
  const auto sigma1 = sigma1_in.to(torch::kFloat64).reshape({d, -1});
  const auto sigma2 = sigma2_in.to(torch::kFloat64).reshape({mu2.size(0), -1});
  if (mu1.sizes() != mu2.sizes() || sigma1.sizes() != sigma2.sizes() || sigma1.size(1) != d) {
    std::ostringstream msg;
    msg << "FID statistics have different dimensions: mu " << mu1.sizes() << " vs " << mu2.sizes() << ", sigma "
        << sigma1.sizes() << " vs " << sigma2.sizes() << "; compute both with the same network and layer";
    throw Error(msg.str());
  }
  for (const auto* t : {&mu1, &mu2, &sigma1, &sigma2}) {
    if (!torch::isfinite(*t).all().item<bool>()) throw Error("FID statistics contain NaN or Inf values");
  }
  FrechetResult r;
  r.method = method;
  if (method == SqrtmMethod::Features) r.method = SqrtmMethod::Factored;  // no features here
  if (r.method == SqrtmMethod::Factored && !(is_symmetric(sigma1) && is_symmetric(sigma2))) {
    r.method = SqrtmMethod::Reference;
  }
  auto trace = [&](const torch::Tensor& a, const torch::Tensor& b) {
    return r.method == SqrtmMethod::Reference ? trace_sqrt_product(a, b) : trace_sqrt_factored(a, b);
  };
  Trace t = trace(sigma1, sigma2);
  if (t.not_psd) {
    r.method = SqrtmMethod::Reference;
    t = trace(sigma1, sigma2);
  }
  if (!t.finite) {  // official: "fid calculation produces singular product; adding eps to diagonal"
    const auto offset = torch::eye(d, torch::kFloat64) * eps;
    t = trace(sigma1 + offset, sigma2 + offset);
    r.used_offset = true;
    if (!t.finite) throw Error("FID: the covariance product has no finite square root even after adding eps·I");
  }
  r.max_imag = t.max_imag;
  if (t.max_imag > 1e-3) {
    std::ostringstream msg;
    msg << "FID: the square root of the covariance product has an imaginary component " << t.max_imag
        << " (> 1e-3, official check); the statistics are not valid covariance matrices";
    throw Error(msg.str());
  }
  const auto diff = mu1 - mu2;
  r.tr_covmean = t.real;
  r.distance = diff.dot(diff).item<double>() + sigma1.trace().item<double>() + sigma2.trace().item<double>() -
               2 * t.real;
  return r;
}

FrechetResult frechet_distance_features(const torch::Tensor& f1_in, const torch::Tensor& f2_in) {
  if (f1_in.dim() != 2 || f2_in.dim() != 2 || f1_in.size(1) != f2_in.size(1)) {
    std::ostringstream msg;
    msg << "FID features have different dimensions: " << f1_in.sizes() << " vs " << f2_in.sizes()
        << "; compute both with the same network and layer";
    throw Error(msg.str());
  }
  const int64_t n1 = f1_in.size(0), n2 = f2_in.size(0), d = f1_in.size(1);
  if (std::min(n1, n2) > d) {  // the N x N product would be larger than the D x D one
    const auto a = gaussian_statistics(f1_in), b = gaussian_statistics(f2_in);
    return frechet_distance(a.mu, a.sigma, b.mu, b.sigma, SqrtmMethod::Factored);
  }
  for (const auto* f : {&f1_in, &f2_in}) {
    if (f->size(0) < 2) {
      throw Error("FID statistics need at least 2 images (got " + std::to_string(f->size(0)) +
                  "); the covariance of one sample is undefined");
    }
    if (!torch::isfinite(*f).all().item<bool>()) throw Error("FID features contain NaN or Inf values");
  }
  const auto x1 = f1_in.to(torch::kFloat64), x2 = f2_in.to(torch::kFloat64);
  const auto mu1 = x1.mean(0), mu2 = x2.mean(0);
  const auto l1 = ((x1 - mu1) / std::sqrt(static_cast<double>(n1 - 1))).t();  // [D, N1], S1 = l1 l1^T
  const auto l2 = ((x2 - mu2) / std::sqrt(static_cast<double>(n2 - 1))).t();
  FrechetResult r;
  r.method = SqrtmMethod::Features;
  r.tr_covmean = nuclear_norm_of_product(l1, l2);
  const auto diff = mu1 - mu2;
  r.distance = diff.dot(diff).item<double>() + l1.square().sum().item<double>() + l2.square().sum().item<double>() -
               2 * r.tr_covmean;
  return r;
}

}  // namespace egsde::metrics
