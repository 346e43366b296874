// Small HDF5 (C API) helpers shared by the statistics files and the per-image records: an RAII
// handle, quiet error printing (errors become one-line egsde::Error), float64/int64/string
// datasets and string attributes (written and read back), and an atomic write (temp file in the
// same folder + rename).
#pragma once
#include <hdf5.h>
#include <torch/torch.h>

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

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
  hid_t release() {  // gives the id up without closing it
    const hid_t i = id;
    id = -1;
    return i;
  }
  operator hid_t() const { return id; }
};

void quiet();  // HDF5 prints nothing; our errors say what failed
void write_f64(hid_t loc, const char* name, const torch::Tensor& t);
void write_i64(hid_t loc, const char* name, const std::vector<int64_t>& v);
void write_strings(hid_t loc, const char* name, const std::vector<std::string>& v);  // fixed-length
void write_string_attr(hid_t loc, const char* name, const std::string& value);
void write_i64_attr(hid_t loc, const char* name, int64_t value);

// Readers of one-dimensional datasets (any numeric type on disk is converted; strings fixed- or
// variable-length, as h5py writes them). They throw egsde::Error saying what failed ("no
// dataset 'l2'", "dataset 'l2' is not one-dimensional"); the caller adds the file's name.
std::vector<double> read_f64_1d(hid_t loc, const char* name);
std::vector<int64_t> read_i64_1d(hid_t loc, const char* name);
std::vector<std::string> read_strings(hid_t loc, const char* name);
// A string attribute; "" when it is absent or not a string.
std::string read_string_attr(hid_t loc, const char* name);
// Every string attribute of `loc` (others skipped).
std::map<std::string, std::string> read_string_attrs(hid_t loc);

// Creates a temp file next to `path`, lets `fill` write into it, flushes and renames it over
// `path`; on any error removes the temp file and throws egsde::Error naming `path`.
void write_atomic(const std::filesystem::path& path, const std::function<void(hid_t file)>& fill);

}  // namespace egsde::metrics::h5
