#include "metrics/per_image_h5.h"

#include "core/error.h"
#include "metrics/h5_util.h"

namespace egsde::metrics {

void write_per_image_h5(const std::filesystem::path& path, const std::vector<PerImageScores>& rows,
                        const std::vector<int64_t>& noise_seed, const std::vector<double>& seconds,
                        const std::map<std::string, std::string>& attrs) {
  if (noise_seed.size() != rows.size() || seconds.size() != rows.size())
    throw Error("per-image records for " + path.string() + ": columns of different lengths");
  std::vector<std::string> names;
  std::vector<double> l2, mse, psnr, ssim;
  for (const auto& r : rows) {
    names.push_back(r.translated.filename().string());
    l2.push_back(r.scores.l2);
    mse.push_back(r.scores.mse);
    psnr.push_back(r.scores.psnr);
    ssim.push_back(r.scores.ssim);
  }
  auto col = [](const std::vector<double>& v) { return torch::tensor(v, torch::kFloat64); };
  h5::write_atomic(path, [&](hid_t f) {
    h5::write_strings(f, "image", names);
    h5::write_f64(f, "l2", col(l2));
    h5::write_f64(f, "mse", col(mse));
    h5::write_f64(f, "psnr", col(psnr));
    h5::write_f64(f, "ssim", col(ssim));
    h5::write_i64(f, "noise_seed", noise_seed);
    h5::write_f64(f, "seconds", col(seconds));
    for (const auto& [k, v] : attrs) h5::write_string_attr(f, k.c_str(), v);
  });
}

}  // namespace egsde::metrics
