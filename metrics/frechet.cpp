#include "metrics/frechet.h"

#include <sstream>

#include "core/error.h"

namespace egsde::metrics {
namespace {

struct Trace {
  double real = 0, max_imag = 0;
  bool finite = true;
  bool not_psd = false;  // symmetric path only: S1 has clearly negative eigenvalues
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

// Symmetric PSD: S1^½ from eigh (negative round-off eigenvalues clamped to 0), then the
// eigenvalues of S1^½ S2 S1^½. Re sqrt of a negative eigenvalue is 0 in the official code too.
Trace trace_sqrt_symmetric(const torch::Tensor& s1, const torch::Tensor& s2) {
  auto [w, v] = torch::linalg_eigh(s1);
  Trace t;
  if (w.min().item<double>() < -1e-8 * std::max(w.abs().max().item<double>(), 1e-300)) {
    t.not_psd = true;  // not a covariance: let the reference path report it
    return t;
  }
  const auto s1h = torch::matmul(v * torch::sqrt(torch::clamp_min(w, 0)).unsqueeze(0), v.t());
  auto m = torch::matmul(torch::matmul(s1h, s2), s1h);
  m = (m + m.t()) / 2;
  const auto mu = torch::linalg_eigvalsh(m);
  if (!torch::isfinite(mu).all().item<bool>()) {
    t.finite = false;
    return t;
  }
  t.real = torch::sqrt(torch::clamp_min(mu, 0)).sum().item<double>();
  t.max_imag = torch::sqrt(torch::clamp_min(-mu, 0)).max().item<double>();
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

std::string to_string(SqrtmMethod m) { return m == SqrtmMethod::Reference ? "reference" : "symmetric-eigh"; }

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
  if (method == SqrtmMethod::SymmetricEigh && !(is_symmetric(sigma1) && is_symmetric(sigma2))) {
    r.method = SqrtmMethod::Reference;
  }
  auto trace = [&](const torch::Tensor& a, const torch::Tensor& b) {
    return r.method == SqrtmMethod::Reference ? trace_sqrt_product(a, b) : trace_sqrt_symmetric(a, b);
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

}  // namespace egsde::metrics
