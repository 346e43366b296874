#include "metrics/h5_stats.h"

#include <hdf5.h>

#include <sstream>
#include <vector>

#include "core/error.h"
#include "metrics/h5_util.h"

namespace egsde::metrics {
namespace fs = std::filesystem;
namespace {
using h5::Handle;

[[noreturn]] void fail(const fs::path& path, const std::string& what) {
  throw Error("FID statistics " + path.string() + ": " + what);
}

torch::Tensor read_dataset(hid_t file, const char* name, const fs::path& path) {
  if (H5Lexists(file, name, H5P_DEFAULT) <= 0) {
    fail(path, std::string("no '") + name + "' dataset (expected datasets mu [D] and sigma [D, D])");
  }
  Handle ds(H5Dopen2(file, name, H5P_DEFAULT), H5Dclose);
  if (ds < 0) fail(path, std::string("cannot open dataset '") + name + "'");
  Handle space(H5Dget_space(ds), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(space);
  if (rank < 0 || rank > 2) fail(path, std::string("dataset '") + name + "' must have 1 or 2 dimensions");
  hsize_t dims[2] = {0, 0};
  H5Sget_simple_extent_dims(space, dims, nullptr);
  std::vector<int64_t> shape(dims, dims + rank);
  auto t = torch::empty(shape, torch::kFloat64);
  if (t.numel() > 0 && H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, t.data_ptr<double>()) < 0) {
    fail(path, std::string("cannot read dataset '") + name + "' as float64");
  }
  return t;
}

}  // namespace

Gaussian read_fid_stats_h5(const fs::path& path, FidStatsMeta* meta) {
  h5::quiet();
  if (!fs::exists(path)) throw Error("no such statistics file: " + path.string());
  if (H5Fis_hdf5(path.c_str()) <= 0) fail(path, "is not an HDF5 file");
  Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (file < 0) fail(path, "cannot be opened as HDF5");
  Gaussian g{read_dataset(file, "mu", path).reshape({-1}), read_dataset(file, "sigma", path)};
  const auto d = g.mu.size(0);
  if (g.sigma.dim() != 2 || g.sigma.size(0) != d || g.sigma.size(1) != d) {
    std::ostringstream msg;
    msg << "sigma has shape " << g.sigma.sizes() << " but mu has " << d << " entries (sigma must be [D, D])";
    fail(path, msg.str());
  }
  if (meta) {
    meta->protocol = h5::read_string_attr(file, "protocol");
    meta->weights = h5::read_string_attr(file, "weights");
    meta->count = -1;
    if (H5Aexists(file, "count") > 0) {
      Handle attr(H5Aopen(file, "count", H5P_DEFAULT), H5Aclose);
      int64_t c = -1;
      if (H5Aread(attr, H5T_NATIVE_INT64, &c) >= 0) meta->count = c;
    }
  }
  return g;
}

void write_fid_stats_h5(const fs::path& path, const Gaussian& g, const FidStatsMeta& meta) {
  h5::write_atomic(path, [&](hid_t file) {
    h5::write_f64(file, "mu", g.mu.reshape({-1}));
    h5::write_f64(file, "sigma", g.sigma);
    h5::write_string_attr(file, "protocol", meta.protocol);
    h5::write_string_attr(file, "weights", meta.weights);
    h5::write_i64_attr(file, "count", meta.count);
  });
}

}  // namespace egsde::metrics
