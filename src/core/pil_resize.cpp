#include "core/pil_resize.h"

#include <cmath>
#include <cstdint>
#include <vector>

#include "core/error.h"

namespace egsde {
namespace {

constexpr int kPrecisionBits = 32 - 8 - 2;  // Resample.c PRECISION_BITS

double bilinear_filter(double x) {
  if (x < 0.0) x = -x;
  return x < 1.0 ? 1.0 - x : 0.0;
}

double bicubic_filter(double x) {  // Keys kernel, a = -0.5, as Resample.c
  constexpr double a = -0.5;
  if (x < 0.0) x = -x;
  if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
  if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
  return 0.0;
}

// Per output sample: the first input index, the number of taps, and ksize double weights
// (Resample.c precompute_coeffs with box = [0, in_size]).
struct Coeffs {
  int ksize = 0;
  std::vector<int> xmin, count;
  std::vector<double> k;  // out_size * ksize
};

Coeffs precompute_coeffs(int in_size, int out_size, PilFilter filter) {
  const double support0 = filter == PilFilter::Bicubic ? 2.0 : 1.0;
  double (*fn)(double) = filter == PilFilter::Bicubic ? bicubic_filter : bilinear_filter;
  const double scale = static_cast<double>(in_size) / out_size;
  const double filterscale = scale < 1.0 ? 1.0 : scale;
  const double support = support0 * filterscale;
  Coeffs c;
  c.ksize = static_cast<int>(std::ceil(support)) * 2 + 1;
  c.xmin.resize(out_size);
  c.count.resize(out_size);
  c.k.assign(static_cast<size_t>(out_size) * c.ksize, 0.0);
  for (int xx = 0; xx < out_size; ++xx) {
    const double center = (xx + 0.5) * scale;
    const double ss = 1.0 / filterscale;
    int xmin = static_cast<int>(center - support + 0.5);  // C (int): truncation
    if (xmin < 0) xmin = 0;
    int xmax = static_cast<int>(center + support + 0.5);
    if (xmax > in_size) xmax = in_size;
    xmax -= xmin;
    double* k = &c.k[static_cast<size_t>(xx) * c.ksize];
    double ww = 0.0;
    for (int x = 0; x < xmax; ++x) {
      const double w = fn((x + xmin - center + 0.5) * ss);
      k[x] = w;
      ww += w;
    }
    for (int x = 0; x < xmax; ++x) {
      if (ww != 0.0) k[x] /= ww;
    }
    c.xmin[xx] = xmin;
    c.count[xx] = xmax;
  }
  return c;
}

// Resample.c normalize_coeffs_8bpc: round half away from zero to 22-bit fixed point.
std::vector<int32_t> fixed_point(const std::vector<double>& k) {
  std::vector<int32_t> out(k.size());
  for (size_t i = 0; i < k.size(); ++i) {
    out[i] = k[i] < 0 ? static_cast<int32_t>(-0.5 + k[i] * (1 << kPrecisionBits))
                      : static_cast<int32_t>(0.5 + k[i] * (1 << kPrecisionBits));
  }
  return out;
}

inline uint8_t clip8(int32_t in) {
  if (in >= (1 << kPrecisionBits << 8)) return 255;
  if (in <= 0) return 0;
  return static_cast<uint8_t>(in >> kPrecisionBits);
}

// One 8-bit pass along an axis. `src` is [rows_in][cols_in][C] viewed through strides so the
// same loop serves both directions: out(o, j) = sum_t in(xmin[o] + t, j) * k[o][t].
void pass_u8(const uint8_t* src, uint8_t* dst, int out_len, int lines, int channels,
             int64_t src_step, int64_t src_line, int64_t dst_step, int64_t dst_line, const Coeffs& c) {
  const auto kk = fixed_point(c.k);
  for (int j = 0; j < lines; ++j) {
    for (int o = 0; o < out_len; ++o) {
      const int32_t* k = &kk[static_cast<size_t>(o) * c.ksize];
      const uint8_t* in = src + j * src_line + static_cast<int64_t>(c.xmin[o]) * src_step;
      uint8_t* out = dst + j * dst_line + o * dst_step;
      for (int ch = 0; ch < channels; ++ch) {
        int32_t ss = 1 << (kPrecisionBits - 1);
        for (int t = 0; t < c.count[o]; ++t) ss += static_cast<int32_t>(in[t * src_step + ch]) * k[t];
        out[ch] = clip8(ss);
      }
    }
  }
}

void pass_f32(const float* src, float* dst, int out_len, int lines, int64_t src_step, int64_t src_line,
              int64_t dst_step, int64_t dst_line, const Coeffs& c) {
  for (int j = 0; j < lines; ++j) {
    for (int o = 0; o < out_len; ++o) {
      const double* k = &c.k[static_cast<size_t>(o) * c.ksize];
      const float* in = src + j * src_line + static_cast<int64_t>(c.xmin[o]) * src_step;
      double ss = 0.0;
      for (int t = 0; t < c.count[o]; ++t) ss += in[t * src_step] * k[t];
      dst[j * dst_line + o * dst_step] = static_cast<float>(ss);
    }
  }
}

void check_size(int out_w, int out_h, int64_t in_w, int64_t in_h) {
  if (out_w <= 0 || out_h <= 0 || in_w <= 0 || in_h <= 0) {
    throw Error("pil_resize: empty image or size (" + std::to_string(in_w) + "x" + std::to_string(in_h) + " -> " +
                std::to_string(out_w) + "x" + std::to_string(out_h) + ")");
  }
}

}  // namespace

torch::Tensor pil_resize(const torch::Tensor& image, int out_w, int out_h, PilFilter filter) {
  TORCH_CHECK(image.dim() == 3 && image.scalar_type() == torch::kUInt8, "pil_resize wants [H, W, C] uint8");
  auto cur = image.contiguous();
  const int in_h = static_cast<int>(cur.size(0)), in_w = static_cast<int>(cur.size(1));
  const int channels = static_cast<int>(cur.size(2));
  check_size(out_w, out_h, in_w, in_h);
  // Resample.c ImagingResampleInner: horizontal pass only if the width changes, vertical only
  // if the height changes; uint8 in between.
  if (out_w != in_w) {
    const auto c = precompute_coeffs(in_w, out_w, filter);
    auto tmp = torch::empty({in_h, out_w, channels}, torch::kUInt8);
    pass_u8(cur.data_ptr<uint8_t>(), tmp.data_ptr<uint8_t>(), out_w, in_h, channels, channels,
            static_cast<int64_t>(in_w) * channels, channels, static_cast<int64_t>(out_w) * channels, c);
    cur = tmp;
  }
  if (out_h != in_h) {
    const int w = static_cast<int>(cur.size(1));
    const auto c = precompute_coeffs(in_h, out_h, filter);
    auto tmp = torch::empty({out_h, w, channels}, torch::kUInt8);
    pass_u8(cur.data_ptr<uint8_t>(), tmp.data_ptr<uint8_t>(), out_h, w, channels,
            static_cast<int64_t>(w) * channels, channels, static_cast<int64_t>(w) * channels, channels, c);
    cur = tmp;
  }
  return cur.is_same(image) ? image.clone() : cur;
}

torch::Tensor pil_resize_float(const torch::Tensor& plane, int out_w, int out_h, PilFilter filter) {
  TORCH_CHECK(plane.dim() == 2 && plane.scalar_type() == torch::kFloat32, "pil_resize_float wants [H, W] float32");
  auto cur = plane.contiguous();
  const int in_h = static_cast<int>(cur.size(0)), in_w = static_cast<int>(cur.size(1));
  check_size(out_w, out_h, in_w, in_h);
  if (out_w != in_w) {
    const auto c = precompute_coeffs(in_w, out_w, filter);
    auto tmp = torch::empty({in_h, out_w}, torch::kFloat32);
    pass_f32(cur.data_ptr<float>(), tmp.data_ptr<float>(), out_w, in_h, 1, in_w, 1, out_w, c);
    cur = tmp;
  }
  if (out_h != in_h) {
    const int w = static_cast<int>(cur.size(1));
    const auto c = precompute_coeffs(in_h, out_h, filter);
    auto tmp = torch::empty({out_h, w}, torch::kFloat32);
    pass_f32(cur.data_ptr<float>(), tmp.data_ptr<float>(), out_h, w, w, 1, w, 1, c);
    cur = tmp;
  }
  return cur.is_same(plane) ? plane.clone() : cur;
}

std::pair<int, int> shorter_side_size(int w, int h, int size) {
  const bool w_short = w <= h;
  const int s = w_short ? w : h, l = w_short ? h : w;
  const int new_long = static_cast<int>(static_cast<int64_t>(size) * l / s);
  return w_short ? std::pair{size, new_long} : std::pair{new_long, size};
}

}  // namespace egsde
