#include "metrics/ssim.h"

#include "core/error.h"

namespace egsde::metrics {
namespace {

// _fspecial_gauss_1d: float32 coordinates centred on size // 2, normalised to sum 1.
torch::Tensor gauss_window(int size, double sigma) {
  auto coords = torch::arange(size, torch::kFloat32);
  coords -= size / 2;
  auto g = torch::exp(-(coords.pow(2)) / (2 * sigma * sigma));
  g /= g.sum();
  return g;
}

// gaussian_filter: depthwise valid convolution along H, then along W.
torch::Tensor blur(const torch::Tensor& input, const torch::Tensor& g) {
  const int64_t c = input.size(1), n = g.size(0);
  const std::vector<int64_t> one = {1, 1}, zero = {0, 0};
  auto conv = [&](const torch::Tensor& x, const torch::Tensor& w) { return torch::conv2d(x, w, {}, one, zero, one, c); };
  auto out = input;
  if (input.size(2) >= n) out = conv(out, g.view({1, 1, n, 1}).repeat({c, 1, 1, 1}));
  if (input.size(3) >= n) out = conv(out, g.view({1, 1, 1, n}).repeat({c, 1, 1, 1}));
  return out;
}

// _ssim: per-channel SSIM and contrast-structure means, [N, C] each.
std::pair<torch::Tensor, torch::Tensor> ssim_cs(const torch::Tensor& x, const torch::Tensor& y,
                                                const torch::Tensor& g, const SsimOptions& opt) {
  const double c1 = std::pow(opt.k1 * opt.data_range, 2), c2 = std::pow(opt.k2 * opt.data_range, 2);
  auto mu1 = blur(x, g), mu2 = blur(y, g);
  auto mu1_sq = mu1.pow(2), mu2_sq = mu2.pow(2), mu1_mu2 = mu1 * mu2;
  auto sigma1_sq = blur(x * x, g) - mu1_sq;
  auto sigma2_sq = blur(y * y, g) - mu2_sq;
  auto sigma12 = blur(x * y, g) - mu1_mu2;
  auto cs_map = (2 * sigma12 + c2) / (sigma1_sq + sigma2_sq + c2);
  auto ssim_map = ((2 * mu1_mu2 + c1) / (mu1_sq + mu2_sq + c1)) * cs_map;
  return {ssim_map.flatten(2).mean(-1), cs_map.flatten(2).mean(-1)};
}

void check_inputs(const torch::Tensor& x, const torch::Tensor& y, const SsimOptions& opt) {
  if (x.sizes() != y.sizes()) throw Error("SSIM: images have different sizes after resizing");
  TORCH_CHECK(x.dim() == 4 && x.scalar_type() == y.scalar_type(), "SSIM wants two [N, C, H, W] tensors of one dtype");
  TORCH_CHECK(opt.win_size % 2 == 1, "SSIM window size must be odd");
}

}  // namespace

torch::Tensor ssim(const torch::Tensor& x, const torch::Tensor& y, const SsimOptions& opt) {
  check_inputs(x, y, opt);
  const auto g = gauss_window(opt.win_size, opt.win_sigma).to(x.dtype());
  return ssim_cs(x, y, g, opt).first.mean(1);
}

torch::Tensor ms_ssim(const torch::Tensor& x0, const torch::Tensor& y0, const SsimOptions& opt) {
  check_inputs(x0, y0, opt);
  if (std::min(x0.size(2), x0.size(3)) <= (opt.win_size - 1) * 16) {
    throw Error("MS-SSIM needs images larger than " + std::to_string((opt.win_size - 1) * 16) + " pixels per side");
  }
  const auto g = gauss_window(opt.win_size, opt.win_sigma).to(x0.dtype());
  const auto weights = torch::tensor({0.0448, 0.2856, 0.3001, 0.2363, 0.1333}, x0.dtype());
  auto x = x0, y = y0;
  std::vector<torch::Tensor> levels;
  for (int i = 0; i < 5; ++i) {
    auto [s, cs] = ssim_cs(x, y, g, opt);
    if (i < 4) {
      levels.push_back(torch::relu(cs));
      const std::vector<int64_t> pad = {x.size(2) % 2, x.size(3) % 2};
      x = torch::avg_pool2d(x, 2, {}, pad);
      y = torch::avg_pool2d(y, 2, {}, pad);
    } else {
      levels.push_back(torch::relu(s));
    }
  }
  auto stacked = torch::stack(levels, 0);  // [level, N, C]
  return torch::prod(stacked.pow(weights.view({-1, 1, 1})), 0).mean(1);
}

}  // namespace egsde::metrics
