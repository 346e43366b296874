#include "guidance/resizer.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.h"

namespace egsde {
namespace {

constexpr double kPi = 3.14159265358979323846;

double cubic(double x) {
  const double a = std::abs(x), a2 = a * a, a3 = a2 * a;
  return (1.5 * a3 - 2.5 * a2 + 1) * (a <= 1 ? 1.0 : 0.0) +
         (-0.5 * a3 + 2.5 * a2 - 4 * a + 2) * ((1 < a && a <= 2) ? 1.0 : 0.0);
}

double lanczos(double x, double n) {
  const double eps = static_cast<double>(std::numeric_limits<float>::epsilon());
  return ((std::sin(kPi * x) * std::sin(kPi * x / n) + eps) / ((kPi * kPi) * (x * x) / n + eps)) *
         (std::abs(x) < n ? 1.0 : 0.0);
}

double box(double x) { return (-0.5 <= x && x < 0.5) ? 1.0 : 0.0; }

double linear(double x) {
  return (x + 1) * ((-1 <= x && x < 0) ? 1.0 : 0.0) + (1 - x) * ((0 <= x && x <= 1) ? 1.0 : 0.0);
}

double kernel_value(ResizeKernel k, double x) {
  switch (k) {
    case ResizeKernel::Cubic: return cubic(x);
    case ResizeKernel::Lanczos2: return lanczos(x, 2.0);
    case ResizeKernel::Lanczos3: return lanczos(x, 3.0);
    case ResizeKernel::Box: return box(x);
    case ResizeKernel::Linear: return linear(x);
  }
  return 0.0;
}

double kernel_width(ResizeKernel k) {
  switch (k) {
    case ResizeKernel::Cubic: return 4.0;
    case ResizeKernel::Lanczos2: return 4.0;
    case ResizeKernel::Lanczos3: return 6.0;
    case ResizeKernel::Box: return 1.0;
    case ResizeKernel::Linear: return 2.0;
  }
  return 4.0;
}

// The official Resizer.contributions for one dim: which input pixels (field_of_view) feed each
// output pixel and with what normalised weights; kernel positions whose weight is zero for
// every output pixel are dropped. Returns [K, out] tensors (the official .T layout).
void contributions(int64_t in_length, int64_t out_length, double scale, ResizeKernel kernel,
                   bool antialiasing, torch::Tensor* fov_out, torch::Tensor* w_out,
                   torch::Tensor* matrix_out) {
  double width = kernel_width(kernel);
  if (antialiasing) width *= 1.0 / scale;
  auto fixed_kernel = [&](double x) {
    return antialiasing ? scale * kernel_value(kernel, scale * x) : kernel_value(kernel, x);
  };
  const int64_t expanded = static_cast<int64_t>(std::ceil(width)) + 2;
  const double shift = (static_cast<double>(out_length) - static_cast<double>(in_length) * scale) / 2;
  std::vector<int64_t> fov(static_cast<size_t>(out_length * expanded));
  std::vector<double> w(fov.size());
  for (int64_t o = 0; o < out_length; ++o) {
    const double shifted = static_cast<double>(o + 1) - shift;
    const double match = shifted / scale + 0.5 * (1 - 1 / scale);
    const double left = std::floor(match - width / 2);
    double sum = 0.0;
    for (int64_t j = 0; j < expanded; ++j) {
      // np.int16 of (left + j − 1): an exact integer here
      const auto f = static_cast<int64_t>(static_cast<int16_t>(left + static_cast<double>(j) - 1));
      fov[o * expanded + j] = f;
      w[o * expanded + j] = fixed_kernel(1.0 * match - static_cast<double>(f) - 1);
      sum += w[o * expanded + j];
    }
    if (sum == 0) sum = 1.0;
    for (int64_t j = 0; j < expanded; ++j) w[o * expanded + j] = 1.0 * w[o * expanded + j] / sum;
  }
  // mirror trick for reflective borders: index mod 2·in into [0..in−1, in−1..0]
  const int64_t period = 2 * in_length;
  for (auto& f : fov) {
    int64_t m = ((f % period) + period) % period;
    f = m < in_length ? m : period - 1 - m;
  }
  std::vector<int64_t> keep;
  for (int64_t j = 0; j < expanded; ++j) {
    bool any = false;
    for (int64_t o = 0; o < out_length && !any; ++o) any = w[o * expanded + j] != 0.0;
    if (any) keep.push_back(j);
  }
  const auto K = static_cast<int64_t>(keep.size());
  auto fov_t = torch::empty({K, out_length}, torch::kInt64);
  auto w_t = torch::empty({K, out_length}, torch::kFloat32);
  auto m = torch::zeros({out_length, in_length}, torch::kFloat32);
  auto fa = fov_t.accessor<int64_t, 2>();
  auto wa = w_t.accessor<float, 2>();
  auto ma = m.accessor<float, 2>();
  for (int64_t k = 0; k < K; ++k) {
    for (int64_t o = 0; o < out_length; ++o) {
      fa[k][o] = fov[o * expanded + keep[k]];
      wa[k][o] = static_cast<float>(w[o * expanded + keep[k]]);
      ma[o][fa[k][o]] += wa[k][o];
    }
  }
  *fov_out = fov_t;
  *w_out = w_t.reshape({K, out_length, 1, 1, 1});
  *matrix_out = m;
}

}  // namespace

Resizer::Resizer(int64_t in_h, int64_t in_w, double scale_factor, ResizeKernel kernel,
                 bool antialiasing)
    : in_h_(in_h), in_w_(in_w) {
  if (in_h < 1 || in_w < 1 || !(scale_factor > 0))
    throw Error("Resizer needs a positive size and scale factor");
  out_h_ = static_cast<int64_t>(std::ceil(static_cast<double>(in_h) * scale_factor));
  out_w_ = static_cast<int64_t>(std::ceil(static_cast<double>(in_w) * scale_factor));
  // Antialiasing only when downscaling; dims sorted by scale (equal here: H then W).
  const bool aa = antialiasing && scale_factor < 1;
  if (scale_factor == 1) return;
  for (int64_t dim : {2, 3}) {
    Axis a;
    a.dim = dim;
    contributions(dim == 2 ? in_h : in_w, dim == 2 ? out_h_ : out_w_, scale_factor, kernel, aa,
                  &a.field_of_view, &a.weights, &a.matrix);
    axes_.push_back(std::move(a));
  }
}

Resizer Resizer::to(const torch::Device& device) const {
  Resizer r = *this;
  for (Axis& a : r.axes_) {
    a.field_of_view = a.field_of_view.to(device);
    a.weights = a.weights.to(device);
    a.matrix = a.matrix.to(device);
  }
  return r;
}

torch::Tensor Resizer::operator()(const torch::Tensor& in) const {
  if (in.dim() != 4 || in.size(2) != in_h_ || in.size(3) != in_w_)
    throw Error("Resizer built for N×C×" + std::to_string(in_h_) + "×" + std::to_string(in_w_) +
                " inputs got " + c10::str(in.sizes()));
  torch::Tensor x = in;
  for (const Axis& a : axes_) {
    x = x.transpose(a.dim, 0);
    x = (x.index({a.field_of_view.to(x.device())}) * a.weights.to(x.device(), x.scalar_type()))
            .sum(0);
    x = x.transpose(a.dim, 0);
  }
  return x;
}

torch::Tensor Resizer::adjoint(const torch::Tensor& g) const {
  if (g.dim() != 4 || g.size(2) != out_h_ || g.size(3) != out_w_)
    throw Error("Resizer adjoint expects N×C×" + std::to_string(out_h_) + "×" +
                std::to_string(out_w_) + " got " + c10::str(g.sizes()));
  torch::Tensor x = g;
  for (auto it = axes_.rbegin(); it != axes_.rend(); ++it) {
    auto m = it->matrix.to(x.device(), x.scalar_type());
    x = it->dim == 2 ? torch::matmul(m.t(), x) : torch::matmul(x, m);
  }
  return x;
}

torch::Tensor LowPass::operator()(const torch::Tensor& x) const {
  if (!per_image || x.size(0) == 1) return up(down(x));
  std::vector<torch::Tensor> parts;
  for (int64_t b = 0; b < x.size(0); ++b) parts.push_back(up(down(x.slice(0, b, b + 1))));
  return torch::cat(parts);
}

LowPass make_lowpass(int64_t image_size, int64_t down_N, bool per_image, ResizeKernel kernel) {
  if (down_N < 1 || image_size % down_N != 0)
    throw Error("down_N = " + std::to_string(down_N) + " must divide image_size = " +
                std::to_string(image_size));
  const int64_t small = image_size / down_N;
  return LowPass{Resizer(image_size, image_size, 1.0 / static_cast<double>(down_N), kernel),
                 Resizer(small, small, static_cast<double>(down_N), kernel), per_image};
}

}  // namespace egsde
