#include "metrics/h5_util.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>

#include "core/error.h"

namespace egsde::metrics::h5 {
namespace fs = std::filesystem;

void quiet() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

void write_f64(hid_t loc, const char* name, const torch::Tensor& t) {
  const auto x = t.to(torch::kFloat64).contiguous();
  std::vector<hsize_t> dims(x.sizes().begin(), x.sizes().end());
  Handle space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose);
  Handle ds(H5Dcreate2(loc, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Dclose);
  if (ds < 0 || H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, x.data_ptr<double>()) < 0)
    throw Error(std::string("cannot write dataset ") + name);
}

void write_i64(hid_t loc, const char* name, const std::vector<int64_t>& v) {
  const hsize_t n = v.size();
  Handle space(H5Screate_simple(1, &n, nullptr), H5Sclose);
  Handle ds(H5Dcreate2(loc, name, H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Dclose);
  if (ds < 0 || (n > 0 && H5Dwrite(ds, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) < 0))
    throw Error(std::string("cannot write dataset ") + name);
}

void write_strings(hid_t loc, const char* name, const std::vector<std::string>& v) {
  size_t width = 1;
  for (const auto& s : v) width = std::max(width, s.size());
  std::string buf(width * v.size(), '\0');
  for (size_t i = 0; i < v.size(); ++i) std::copy(v[i].begin(), v[i].end(), buf.begin() + static_cast<long>(i * width));
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type, width);
  H5Tset_strpad(type, H5T_STR_NULLPAD);
  const hsize_t n = v.size();
  Handle space(H5Screate_simple(1, &n, nullptr), H5Sclose);
  Handle ds(H5Dcreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Dclose);
  if (ds < 0 || (n > 0 && H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()) < 0))
    throw Error(std::string("cannot write dataset ") + name);
}

void write_string_attr(hid_t loc, const char* name, const std::string& value) {
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type, std::max<size_t>(1, value.size()));
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  Handle attr(H5Acreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  std::string buf = value.empty() ? std::string(1, '\0') : value;
  if (attr < 0 || H5Awrite(attr, type, buf.data()) < 0) throw Error(std::string("cannot write attribute ") + name);
}

void write_i64_attr(hid_t loc, const char* name, int64_t value) {
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  Handle attr(H5Acreate2(loc, name, H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  if (attr < 0 || H5Awrite(attr, H5T_NATIVE_INT64, &value) < 0) throw Error(std::string("cannot write attribute ") + name);
}

void write_atomic(const fs::path& path, const std::function<void(hid_t file)>& fill) {
  quiet();
  static std::atomic<unsigned> counter{0};
  const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  if (!fs::is_directory(dir))
    throw Error("cannot write " + path.string() + ": directory " + dir.string() + " does not exist; create it first");
  const fs::path tmp = dir / ("." + path.filename().string() + ".tmp." + std::to_string(::getpid()) + "." +
                              std::to_string(counter++));
  try {
    Handle file(H5Fcreate(tmp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
    if (file < 0) throw Error("cannot create a file in " + dir.string());
    fill(file);
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

}  // namespace egsde::metrics::h5
