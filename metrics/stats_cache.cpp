#include "metrics/stats_cache.h"

#include <cstdio>
#include <fstream>

#include "core/digest.h"
#include "core/error.h"
#include "metrics/fid_stats.h"
#include "metrics/image_io.h"

namespace egsde::metrics {
namespace fs = std::filesystem;

std::string stats_cache_key(const std::vector<fs::path>& files, FidProtocol protocol, const std::string& weights_id) {
  Fnv1a64 f(kEgsdeDigestBasis);
  f.add_field("egsde-fid-stats-v1");
  f.add_field(to_string(protocol));
  f.add_field(weights_id);
  for (const auto& p : files) {
    f.add_field(p.filename().string());
    f.add_file(p);
  }
  return to_string(protocol) + "-" + f.hex();
}

std::optional<Gaussian> load_cached_stats(const fs::path& cache_dir, const std::string& key) {
  const auto path = cache_dir / (key + ".npz");
  std::error_code ec;
  if (!fs::exists(path, ec)) return std::nullopt;
  return read_fid_stats_npz(path);
}

void store_cached_stats(const fs::path& cache_dir, const std::string& key, const Gaussian& g) {
  std::error_code ec;
  fs::create_directories(cache_dir, ec);
  if (ec) throw Error("cannot create the statistics cache folder " + cache_dir.string() + ": " + ec.message());
  write_fid_stats_npz(cache_dir / (key + ".npz"), g);
}

Gaussian statistics_of(const fs::path& source, const FeatureFn& net, const FeatureOptions& opt,
                       const fs::path& cache_dir, const std::string& weights_id) {
  if (is_stats_file(source)) return read_fid_stats(source);
  const auto files = list_images(source);
  if (files.empty()) throw Error("no images in " + source.string() + " (expected .png/.jpg files)");
  std::string key;
  if (!cache_dir.empty()) {
    key = stats_cache_key(files, opt.protocol, weights_id);
    if (auto hit = load_cached_stats(cache_dir, key)) return *hit;
  }
  auto g = gaussian_statistics(image_features(files, net, opt));
  if (!cache_dir.empty()) store_cached_stats(cache_dir, key, g);
  return g;
}

}  // namespace egsde::metrics
