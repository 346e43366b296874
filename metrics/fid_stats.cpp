#include "metrics/fid_stats.h"

#include <sstream>

#include "core/error.h"
#include "metrics/h5_stats.h"
#include "metrics/npz.h"

namespace egsde::metrics {
namespace fs = std::filesystem;

namespace {
bool is_h5(const fs::path& p) { return p.extension() == ".h5" || p.extension() == ".hdf5"; }
}  // namespace

bool is_stats_file(const fs::path& path) { return path.extension() == ".npz" || is_h5(path); }

Gaussian read_fid_stats_npz(const fs::path& path) {
  auto arrays = read_npz(path);
  for (const char* key : {"mu", "sigma"}) {
    if (!arrays.count(key)) {
      throw Error("FID statistics " + path.string() + " have no '" + key +
                  "' array (expected numpy.savez(path, mu=..., sigma=...) as pytorch-fid writes)");
    }
  }
  Gaussian g{arrays["mu"].to(torch::kFloat64).reshape({-1}), arrays["sigma"].to(torch::kFloat64)};
  const auto d = g.mu.size(0);
  if (g.sigma.dim() != 2 || g.sigma.size(0) != d || g.sigma.size(1) != d) {
    std::ostringstream msg;
    msg << "FID statistics " << path.string() << ": sigma has shape " << g.sigma.sizes() << " but mu has " << d
        << " entries (sigma must be [D, D])";
    throw Error(msg.str());
  }
  return g;
}

void write_fid_stats_npz(const fs::path& path, const Gaussian& g) {
  write_npz(path, {{"mu", g.mu.to(torch::kFloat64).contiguous()}, {"sigma", g.sigma.to(torch::kFloat64).contiguous()}});
}

namespace {
// NaN or Inf in a statistics file would surface later as an anonymous NaN FID: name the file.
Gaussian checked_finite(Gaussian g, const fs::path& path) {
  for (const auto& [name, t] : {std::pair<const char*, const torch::Tensor*>{"mu", &g.mu}, {"sigma", &g.sigma}}) {
    const auto bad = torch::isfinite(*t).logical_not().sum().item<int64_t>();
    if (bad > 0)
      throw Error("FID statistics " + path.string() + ": '" + name + "' has " + std::to_string(bad) +
                  " NaN or Inf values; recompute them (egsde fid-stats DIR -o " + path.filename().string() + " --overwrite)");
  }
  return g;
}
}  // namespace

Gaussian read_fid_stats(const fs::path& path, FidStatsMeta* meta) {
  if (is_h5(path)) return checked_finite(read_fid_stats_h5(path, meta), path);
  if (path.extension() == ".npz") return checked_finite(read_fid_stats_npz(path), path);
  throw Error("cannot read FID statistics from " + path.string() + ": expected a .npz or .h5 file");
}

void write_fid_stats(const fs::path& path, const Gaussian& g, const FidStatsMeta& meta) {
  if (is_h5(path)) return write_fid_stats_h5(path, g, meta);
  if (path.extension() == ".npz") return write_fid_stats_npz(path, g);
  throw Error("cannot write FID statistics to " + path.string() + ": name it .npz (pytorch-fid) or .h5 (HDF5)");
}

}  // namespace egsde::metrics
