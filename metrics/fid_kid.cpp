#include "metrics/fid_kid.h"

#include "core/error.h"
#include "metrics/fid_stats.h"
#include "metrics/image_io.h"
#include "metrics/stats_cache.h"

namespace egsde::metrics {
namespace fs = std::filesystem;

DistanceSide checked_side(const fs::path& path, bool need_features) {
  DistanceSide s;
  s.path = path;
  if (!fs::exists(path)) throw Error("no such folder or statistics file: " + path.string());
  if (is_stats_file(path)) {
    if (need_features)
      throw Error("--kid needs image folders, but " + path.string() + " holds statistics only (mu, sigma)");
    return s;
  }
  s.files = list_images(path);
  if (s.files.empty())
    throw Error("no images in " + path.string() + " (expected .png/.jpg/... files in it or its subfolders)");
  if (s.files.size() < 2)
    throw Error("FID needs at least 2 images, " + path.string() + " has 1 (the covariance of one sample is undefined)");
  s.count = static_cast<int64_t>(s.files.size());
  return s;
}

void load_side(DistanceSide& s, FeatureNetwork& net, const DistanceOptions& opt, const fs::path& cache,
               bool need_features) {
  if (s.files.empty()) {
    s.g = read_fid_stats(s.path);
    return;
  }
  FeatureOptions fo;
  fo.protocol = opt.protocol;
  fo.batch_size = opt.batch_size;
  std::string key;
  if (!cache.empty()) {
    key = stats_cache_key(s.files, opt.protocol, net.weights_id());
    if (!need_features) {
      if (auto hit = load_cached_stats(cache, key)) {
        s.g = *hit;
        return;
      }
    }
  }
  s.features = image_features(s.files, net.fn(), fo);
  s.g = gaussian_statistics(s.features);
  if (cache.empty()) return;
  store_cached_stats(cache, key, s.g);
  // A cached side is statistics only, on a miss as on a hit: its FID path (and so its last
  // digits) does not depend on what the cache held.
  if (!need_features) s.features = torch::Tensor();
}

nlohmann::json feature_distances(const DistanceSide& a, const DistanceSide& b, const DistanceOptions& opt,
                                 const std::string& key) {
  const bool features = opt.sqrtm != SqrtmMethod::Reference && a.features.defined() && b.features.defined();
  const auto r = features ? frechet_distance_features(a.features, b.features)
                          : frechet_distance(a.g.mu, a.g.sigma, b.g.mu, b.g.sigma, opt.sqrtm);
  nlohmann::json out = {{key, r.distance}, {"fid_sqrtm", to_string(r.method)}, {"fid_eps_offset", r.used_offset}};
  if (opt.kid) {
    if (!a.features.defined() || !b.features.defined())
      throw Error("KID needs the features of both sides (image folders, not statistics or cache entries)");
    const auto k = kernel_inception_distance(a.features, b.features, opt.kid_options);
    out["kid"] = k.mean;
    out["kid_std"] = k.std;
    out["kid_subsets"] = k.subsets;
    out["kid_subset_size"] = k.subset_size;
    out["kid_seed"] = opt.kid_options.seed;
  }
  return out;
}

}  // namespace egsde::metrics
