#include "metrics/pairwise.h"

#include <ATen/Parallel.h>

#include "core/error.h"
#include "metrics/image_io.h"
#include "metrics/ssim.h"
#include "metrics/transforms.h"

namespace egsde::metrics {
namespace fs = std::filesystem;

namespace {
void check_same_size(const torch::Tensor& a, const torch::Tensor& b, const fs::path& pa, const fs::path& pb) {
  if (a.sizes() != b.sizes()) {
    auto dims = [](const torch::Tensor& t) { return std::to_string(t.size(2)) + "x" + std::to_string(t.size(1)); };
    throw Error("image sizes differ after Resize(256): " + pa.string() + " is " + dims(a) + ", " + pb.string() +
                " is " + dims(b) + "; both images of a pair need the same aspect ratio");
  }
}
}  // namespace

PairScores score_pair(const torch::Tensor& t, const torch::Tensor& s, bool with_ms_ssim) {
  PairScores r;
  r.l2 = torch::norm(t - s, 2).item<float>();                                  // torch.norm(s - t, p=2)
  r.mse = torch::pow(t.to(torch::kFloat64) - s.to(torch::kFloat64), 2).mean().item<double>();
  r.psnr = 10.0 * std::log10(1.0 / (r.mse + 1e-10));
  r.ssim = ssim(t.unsqueeze(0), s.unsqueeze(0)).item<float>();
  if (with_ms_ssim) r.ms_ssim = ms_ssim(t.unsqueeze(0), s.unsqueeze(0)).item<float>();
  return r;
}

PairwiseResult pairwise_metrics(const Pairing& p, const PairwiseOptions& opt) {
  const int64_t n = static_cast<int64_t>(p.translated.size());
  PairwiseResult result;
  result.warnings = p.warnings;
  result.per_image.resize(n);
  std::vector<std::string> errors(n);
  at::parallel_for(0, n, 1, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      try {
        auto& row = result.per_image[i];
        row.translated = p.translated[i];
        row.source_by_name = p.by_name[i];
        row.source_by_order = p.by_order[i];
        const auto t = eval_tensor(read_image_rgb(p.translated[i]), opt.size);
        const auto s = eval_tensor(read_image_rgb(p.by_name[i]), opt.size);
        check_same_size(t, s, p.translated[i], p.by_name[i]);
        row.scores = score_pair(t, s, opt.ms_ssim);
      } catch (const std::exception& e) {
        errors[i] = e.what();
      }
    }
  });
  for (const auto& e : errors) {
    if (!e.empty()) throw Error(e);
  }
  for (const auto& row : result.per_image) {
    result.mean.l2 += row.scores.l2;
    result.mean.mse += row.scores.mse;
    result.mean.psnr += row.scores.psnr;
    result.mean.ssim += row.scores.ssim;
    if (opt.ms_ssim) result.mean.ms_ssim = (std::isnan(result.mean.ms_ssim) ? 0 : result.mean.ms_ssim) + row.scores.ms_ssim;
  }
  result.mean.l2 /= n;
  result.mean.mse /= n;
  result.mean.psnr /= n;
  result.mean.ssim /= n;
  if (opt.ms_ssim) result.mean.ms_ssim /= n;
  return result;
}

}  // namespace egsde::metrics
