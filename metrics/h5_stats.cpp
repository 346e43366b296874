#include "metrics/h5_stats.h"

#include <hdf5.h>
#include <unistd.h>

#include <atomic>
#include <sstream>
#include <vector>

#include "core/error.h"

namespace egsde::metrics {
namespace fs = std::filesystem;
namespace {

// Closes an HDF5 handle of any kind at scope exit.
struct Handle {
  hid_t id = -1;
  herr_t (*close)(hid_t) = nullptr;
  Handle(hid_t i, herr_t (*c)(hid_t)) : id(i), close(c) {}
  Handle(const Handle&) = delete;
  ~Handle() {
    if (id >= 0) close(id);
  }
  operator hid_t() const { return id; }
};

void quiet_hdf5() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }  // errors become egsde::Error, one line

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

std::string read_string_attr(hid_t loc, const char* name) {
  if (H5Aexists(loc, name) <= 0) return "";
  Handle attr(H5Aopen(loc, name, H5P_DEFAULT), H5Aclose);
  Handle type(H5Aget_type(attr), H5Tclose);
  if (H5Tget_class(type) != H5T_STRING) return "";
  if (H5Tis_variable_str(type) > 0) {  // h5py's default for str attributes
    Handle mem(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(mem, H5T_VARIABLE);
    char* s = nullptr;
    if (H5Aread(attr, mem, &s) < 0 || !s) return "";
    std::string out(s);
    H5free_memory(s);
    return out;
  }
  const size_t n = H5Tget_size(type);
  std::string out(n, '\0');
  Handle mem(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(mem, n);
  if (H5Aread(attr, mem, out.data()) < 0) return "";
  out.resize(out.find('\0') == std::string::npos ? n : out.find('\0'));
  return out;
}

void write_string_attr(hid_t loc, const char* name, const std::string& value) {
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type, std::max<size_t>(1, value.size()));
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  Handle attr(H5Acreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  std::string buf = value.empty() ? std::string(1, '\0') : value;
  if (attr < 0 || H5Awrite(attr, type, buf.data()) < 0) throw Error(std::string("cannot write attribute ") + name);
}

void write_dataset(hid_t file, const char* name, const torch::Tensor& t) {
  const auto x = t.to(torch::kFloat64).contiguous();
  std::vector<hsize_t> dims(x.sizes().begin(), x.sizes().end());
  Handle space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose);
  Handle ds(H5Dcreate2(file, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Dclose);
  if (ds < 0 || H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, x.data_ptr<double>()) < 0) {
    throw Error(std::string("cannot write dataset ") + name);
  }
}

}  // namespace

Gaussian read_fid_stats_h5(const fs::path& path, FidStatsMeta* meta) {
  quiet_hdf5();
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
    meta->protocol = read_string_attr(file, "protocol");
    meta->weights = read_string_attr(file, "weights");
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
  quiet_hdf5();
  static std::atomic<unsigned> counter{0};
  const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  if (!fs::is_directory(dir)) {
    throw Error("cannot write " + path.string() + ": directory " + dir.string() + " does not exist; create it first");
  }
  const fs::path tmp = dir / ("." + path.filename().string() + ".tmp." + std::to_string(::getpid()) + "." +
                              std::to_string(counter++));
  try {
    Handle file(H5Fcreate(tmp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
    if (file < 0) throw Error("cannot create a file in " + dir.string());
    write_dataset(file, "mu", g.mu.reshape({-1}));
    write_dataset(file, "sigma", g.sigma);
    write_string_attr(file, "protocol", meta.protocol);
    write_string_attr(file, "weights", meta.weights);
    Handle space(H5Screate(H5S_SCALAR), H5Sclose);
    Handle attr(H5Acreate2(file, "count", H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    if (attr < 0 || H5Awrite(attr, H5T_NATIVE_INT64, &meta.count) < 0) throw Error("cannot write attribute count");
    if (H5Fflush(file, H5F_SCOPE_GLOBAL) < 0) throw Error("flush failed (disk full?)");
  } catch (const Error& e) {
    std::error_code ec;
    fs::remove(tmp, ec);
    throw Error("cannot write " + path.string() + ": " + e.what());
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw Error("cannot write " + path.string() + ": rename failed: " + ec.message());
  }
}

}  // namespace egsde::metrics
