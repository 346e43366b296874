#include "metrics/stats_cache.h"

#include <cstdio>
#include <fstream>

#include "core/error.h"
#include "metrics/fid_stats.h"
#include "metrics/image_io.h"

namespace egsde::metrics {
namespace fs = std::filesystem;

namespace {

struct Fnv64 {
  uint64_t h = 1469598103934665603ULL;
  void add(const char* p, size_t n) {
    for (size_t i = 0; i < n; ++i) {
      h ^= static_cast<unsigned char>(p[i]);
      h *= 1099511628211ULL;
    }
  }
  void add(const std::string& s) {
    add(s.data(), s.size());
    add("\0", 1);
  }
  void add_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error("cannot read " + path.string() + " to hash it");
    std::vector<char> buf(1 << 16);
    while (in) {
      in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
      add(buf.data(), static_cast<size_t>(in.gcount()));
    }
  }
  std::string hex() const {
    char s[17];
    std::snprintf(s, sizeof s, "%016llx", static_cast<unsigned long long>(h));
    return s;
  }
};

}  // namespace

std::string file_digest(const fs::path& path) {
  Fnv64 f;
  f.add_file(path);
  return f.hex();
}

std::string stats_cache_key(const std::vector<fs::path>& files, FidProtocol protocol, const std::string& weights_id) {
  Fnv64 f;
  f.add("egsde-fid-stats-v1");
  f.add(to_string(protocol));
  f.add(weights_id);
  for (const auto& p : files) {
    f.add(p.filename().string());
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
