#include "metrics/kid.h"

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <sstream>

#include "core/error.h"

namespace egsde::metrics {
namespace {

void check_features(const torch::Tensor& a, const torch::Tensor& b) {
  if (a.dim() != 2 || b.dim() != 2 || a.size(1) != b.size(1)) {
    std::ostringstream msg;
    msg << "KID features have different dimensions: " << a.sizes() << " vs " << b.sizes()
        << "; compute both with the same network and layer";
    throw Error(msg.str());
  }
  if (std::min(a.size(0), b.size(0)) < 2) {
    throw Error("KID needs at least 2 images on each side (got " + std::to_string(a.size(0)) + " and " +
                std::to_string(b.size(0)) + ")");
  }
}

// torch-fidelity kernel_poly(degree=3, gamma=1/D, coef0=1)
torch::Tensor poly3(const torch::Tensor& x, const torch::Tensor& y) {
  return (torch::matmul(x, y.t()) / static_cast<double>(x.size(1)) + 1).pow(3);
}

}  // namespace

double mmd2_unbiased_poly3(const torch::Tensor& x_in, const torch::Tensor& y_in) {
  const auto x = x_in.to(torch::kFloat64), y = y_in.to(torch::kFloat64);
  const double m = static_cast<double>(x.size(0));
  const auto kxx = poly3(x, x), kyy = poly3(y, y), kxy = poly3(x, y);
  const double sxx = (kxx.sum() - kxx.trace()).item<double>();
  const double syy = (kyy.sum() - kyy.trace()).item<double>();
  return (sxx + syy) / (m * (m - 1)) - 2 * kxy.sum().item<double>() / (m * m);
}

KidResult kernel_inception_distance(const torch::Tensor& a, const torch::Tensor& b,
                                    const std::vector<torch::Tensor>& subsets_a,
                                    const std::vector<torch::Tensor>& subsets_b) {
  check_features(a, b);
  if (subsets_a.empty() || subsets_a.size() != subsets_b.size()) {
    throw Error("KID: need the same positive number of subsets for both sides");
  }
  const auto fa = a.to(torch::kFloat64), fb = b.to(torch::kFloat64);
  KidResult r;
  r.subsets = static_cast<int64_t>(subsets_a.size());
  r.subset_size = subsets_a[0].numel();
  for (size_t s = 0; s < subsets_a.size(); ++s) {
    if (subsets_a[s].numel() != subsets_b[s].numel() || subsets_a[s].numel() < 2) {
      throw Error("KID: subset " + std::to_string(s) + " needs equally many (>= 2) indices on both sides");
    }
    r.values.push_back(mmd2_unbiased_poly3(fa.index_select(0, subsets_a[s]), fb.index_select(0, subsets_b[s])));
  }
  const auto v = torch::tensor(r.values, torch::kFloat64);
  r.mean = v.mean().item<double>();
  r.std = v.std(/*unbiased=*/false).item<double>();
  return r;
}

KidResult kernel_inception_distance(const torch::Tensor& a, const torch::Tensor& b, const KidOptions& opt) {
  check_features(a, b);
  if (opt.subsets < 1 || opt.subset_size < 2) throw Error("KID: need >= 1 subsets of >= 2 images");
  const int64_t m = std::min({opt.subset_size, a.size(0), b.size(0)});
  auto gen = at::make_generator<at::CPUGeneratorImpl>(opt.seed);
  std::vector<torch::Tensor> ia, ib;
  for (int64_t s = 0; s < opt.subsets; ++s) {
    ia.push_back(torch::randperm(a.size(0), gen, torch::kInt64).slice(0, 0, m));
    ib.push_back(torch::randperm(b.size(0), gen, torch::kInt64).slice(0, 0, m));
  }
  return kernel_inception_distance(a, b, ia, ib);
}

}  // namespace egsde::metrics
