// Small HDF5 (C API) helpers shared by the statistics files and the per-image records: an RAII
// handle, quiet error printing (errors become one-line egsde::Error), float64 datasets, string
// attributes, and an atomic write (temp file in the same folder + rename).
#pragma once
#include <hdf5.h>
#include <torch/torch.h>

#include <filesystem>
#include <functional>
#include <string>

namespace egsde::metrics::h5 {

// Closes an HDF5 handle of any kind at scope exit.
struct Handle {
  hid_t id = -1;
  herr_t (*close)(hid_t) = nullptr;
  Handle(hid_t i, herr_t (*c)(hid_t)) : id(i), close(c) {}
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() {
    if (id >= 0) close(id);
  }
  operator hid_t() const { return id; }
};

void quiet();  // HDF5 prints nothing; our errors say what failed
void write_f64(hid_t loc, const char* name, const torch::Tensor& t);
void write_i64(hid_t loc, const char* name, const std::vector<int64_t>& v);
void write_strings(hid_t loc, const char* name, const std::vector<std::string>& v);  // fixed-length
void write_string_attr(hid_t loc, const char* name, const std::string& value);
void write_i64_attr(hid_t loc, const char* name, int64_t value);

// Creates a temp file next to `path`, lets `fill` write into it, flushes and renames it over
// `path`; on any error removes the temp file and throws egsde::Error naming `path`.
void write_atomic(const std::filesystem::path& path, const std::function<void(hid_t file)>& fill);

}  // namespace egsde::metrics::h5
