#include "metrics/per_image_h5.h"

#include <hdf5.h>

#include "core/error.h"
#include "metrics/h5_util.h"

namespace egsde::metrics {
namespace fs = std::filesystem;

const std::vector<std::string>& per_image_metrics() {
  static const std::vector<std::string> kMetrics = {"l2", "mse", "psnr", "ssim"};
  return kMetrics;
}

const std::vector<std::string>& per_image_classifier_columns() {
  static const std::vector<std::string> kColumns = {"target_prob", "verdict"};
  return kColumns;
}

void write_per_image_h5(const std::filesystem::path& path, const std::vector<PerImageScores>& rows,
                        const std::vector<int64_t>& noise_seed, const std::vector<double>& seconds,
                        const std::map<std::string, std::string>& attrs,
                        const std::map<std::string, std::vector<double>>& extra) {
  bool same = noise_seed.size() == rows.size() && seconds.size() == rows.size();
  for (const auto& [k, v] : extra) same = same && v.size() == rows.size();
  if (!same) throw Error("per-image records for " + path.string() + ": columns of different lengths");
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
    for (const auto& [k, v] : extra) h5::write_f64(f, k.c_str(), col(v));
    for (const auto& [k, v] : attrs) h5::write_string_attr(f, k.c_str(), v);
  });
}

PerImageRecords read_per_image_h5(const fs::path& path) {
  h5::quiet();
  const std::string what = "per-image records " + path.string() + ": ";
  // The runner evaluates a run (and writes this file) when it has no metrics.json.
  const std::string rewrite = "; to write it again, remove the metrics.json beside it and rerun `egsde run` with --resume";
  std::error_code ec;
  if (!fs::exists(path, ec)) throw Error(what + "no such file" + rewrite);
  if (H5Fis_hdf5(path.c_str()) <= 0) throw Error(what + "is not an HDF5 file" + rewrite);
  h5::Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (file < 0) throw Error(what + "cannot be opened as HDF5" + rewrite);
  PerImageRecords r;
  try {
    r.image = h5::read_strings(file, "image");
    for (const auto& m : per_image_metrics()) r.scores[m] = h5::read_f64_1d(file, m.c_str());
    for (const auto& m : per_image_classifier_columns())
      if (H5Lexists(file, m.c_str(), H5P_DEFAULT) > 0) r.scores[m] = h5::read_f64_1d(file, m.c_str());
    r.noise_seed = h5::read_i64_1d(file, "noise_seed");
    r.seconds = h5::read_f64_1d(file, "seconds");
    r.attrs = h5::read_string_attrs(file);
  } catch (const Error& e) {
    throw Error(what + e.what() + " (expected datasets image, l2, mse, psnr, ssim, noise_seed, seconds)" + rewrite);
  }
  const std::size_t n = r.image.size();
  std::string wrong;
  for (const auto& [m, v] : r.scores)
    if (v.size() != n) wrong += " " + m + " " + std::to_string(v.size());
  if (r.noise_seed.size() != n) wrong += " noise_seed " + std::to_string(r.noise_seed.size());
  if (r.seconds.size() != n) wrong += " seconds " + std::to_string(r.seconds.size());
  if (!wrong.empty())
    throw Error(what + std::to_string(n) + " images but" + wrong + " values (columns of different lengths)" + rewrite);
  return r;
}

}  // namespace egsde::metrics
