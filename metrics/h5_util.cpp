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

namespace {

// The dataset `name` of `loc`, checked to be one-dimensional; its length in `n`.
Handle open_1d(hid_t loc, const char* name, hsize_t& n) {
  if (H5Lexists(loc, name, H5P_DEFAULT) <= 0) throw Error(std::string("no dataset '") + name + "'");
  Handle ds(H5Dopen2(loc, name, H5P_DEFAULT), H5Dclose);
  if (ds < 0) throw Error(std::string("cannot open dataset '") + name + "'");
  Handle space(H5Dget_space(ds), H5Sclose);
  if (H5Sget_simple_extent_ndims(space) != 1) throw Error(std::string("dataset '") + name + "' is not one-dimensional");
  H5Sget_simple_extent_dims(space, &n, nullptr);
  return Handle(ds.release(), H5Dclose);
}

template <typename T>
std::vector<T> read_numbers(hid_t loc, const char* name, hid_t mem_type, const char* what) {
  hsize_t n = 0;
  Handle ds = open_1d(loc, name, n);
  Handle type(H5Dget_type(ds), H5Tclose);
  const H5T_class_t cls = H5Tget_class(type);
  if (cls != H5T_FLOAT && cls != H5T_INTEGER) throw Error(std::string("dataset '") + name + "' is not numeric");
  std::vector<T> v(n);
  if (n > 0 && H5Dread(ds, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) < 0)
    throw Error(std::string("cannot read dataset '") + name + "' as " + what);
  return v;
}

}  // namespace

std::vector<double> read_f64_1d(hid_t loc, const char* name) {
  return read_numbers<double>(loc, name, H5T_NATIVE_DOUBLE, "float64");
}

std::vector<int64_t> read_i64_1d(hid_t loc, const char* name) {
  return read_numbers<int64_t>(loc, name, H5T_NATIVE_INT64, "int64");
}

std::vector<std::string> read_strings(hid_t loc, const char* name) {
  hsize_t n = 0;
  Handle ds = open_1d(loc, name, n);
  Handle type(H5Dget_type(ds), H5Tclose);
  if (H5Tget_class(type) != H5T_STRING) throw Error(std::string("dataset '") + name + "' is not a string dataset");
  std::vector<std::string> out;
  if (n == 0) return out;
  const auto fail = [&] { return Error(std::string("cannot read dataset '") + name + "' as strings"); };
  if (H5Tis_variable_str(type) > 0) {  // h5py's default for str
    Handle mem(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(mem, H5T_VARIABLE);
    std::vector<char*> ptrs(n, nullptr);
    if (H5Dread(ds, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()) < 0) throw fail();
    for (char* p : ptrs) {
      out.emplace_back(p ? p : "");
      if (p) H5free_memory(p);
    }
    return out;
  }
  const size_t width = H5Tget_size(type);
  std::string buf(width * n, '\0');
  Handle mem(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(mem, width);
  H5Tset_strpad(mem, H5T_STR_NULLPAD);
  if (H5Dread(ds, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()) < 0) throw fail();
  for (hsize_t i = 0; i < n; ++i) {
    std::string s = buf.substr(i * width, width);
    out.push_back(s.substr(0, s.find('\0')));
  }
  return out;
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

std::map<std::string, std::string> read_string_attrs(hid_t loc) {
  std::vector<std::string> names;
  const auto collect = [](hid_t, const char* name, const H5A_info_t*, void* data) -> herr_t {
    static_cast<std::vector<std::string>*>(data)->emplace_back(name);
    return 0;
  };
  hsize_t idx = 0;
  H5Aiterate2(loc, H5_INDEX_NAME, H5_ITER_INC, &idx, collect, &names);
  std::map<std::string, std::string> out;
  for (const auto& name : names) {
    Handle attr(H5Aopen(loc, name.c_str(), H5P_DEFAULT), H5Aclose);
    Handle type(H5Aget_type(attr), H5Tclose);
    if (H5Tget_class(type) == H5T_STRING) out[name] = read_string_attr(loc, name.c_str());
  }
  return out;
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
