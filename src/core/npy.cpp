#include "core/npy.h"

#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>

#include "core/atomic_write.h"
#include "core/error.h"

namespace egsde {
namespace {

struct DtypeCode {
  const char* descr;  // numpy descr without byte-order character
  torch::ScalarType type;
};
constexpr DtypeCode kDtypes[] = {
    {"f4", torch::kFloat32}, {"f8", torch::kFloat64}, {"f2", torch::kFloat16},
    {"i4", torch::kInt32},   {"i8", torch::kInt64},   {"i2", torch::kInt16},
    {"i1", torch::kInt8},    {"u1", torch::kUInt8},   {"b1", torch::kBool},
};

[[noreturn]] void bad(const std::filesystem::path& path, const std::string& what) {
  throw Error("cannot read " + path.string() + ": " + what);
}

}  // namespace

torch::Tensor read_npy(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) bad(path, "file not found or not readable");
  char magic[8];
  if (!in.read(magic, 8) || std::memcmp(magic, "\x93NUMPY", 6) != 0) {
    bad(path, "not a .npy file (missing \\x93NUMPY magic); save it with numpy.save");
  }
  const int major = static_cast<unsigned char>(magic[6]);
  uint32_t header_len = 0;
  if (major == 1) {
    unsigned char b[2];
    in.read(reinterpret_cast<char*>(b), 2);
    header_len = b[0] | (b[1] << 8);
  } else if (major == 2 || major == 3) {
    unsigned char b[4];
    in.read(reinterpret_cast<char*>(b), 4);
    header_len = b[0] | (b[1] << 8) | (b[2] << 16) | (static_cast<uint32_t>(b[3]) << 24);
  } else {
    bad(path, "unsupported .npy version " + std::to_string(major));
  }
  std::string header(header_len, '\0');
  if (!in.read(header.data(), header_len)) bad(path, "truncated header");

  std::smatch m;
  if (!std::regex_search(header, m, std::regex(R"('descr'\s*:\s*'([<>|=])(\w\d+)')"))) bad(path, "no descr in header");
  const std::string order = m[1], code = m[2];
  if (order == ">") bad(path, "big-endian data; convert with arr.astype('<" + code + "')");
  torch::ScalarType type{};
  bool found = false;
  for (const auto& d : kDtypes) {
    if (code == d.descr) { type = d.type; found = true; }
  }
  if (!found) bad(path, "unsupported dtype '" + code + "' (use float32/float64/int/uint8/bool)");
  if (std::regex_search(header, m, std::regex(R"('fortran_order'\s*:\s*True)"))) {
    bad(path, "Fortran-order array; save np.ascontiguousarray(arr)");
  }
  if (!std::regex_search(header, m, std::regex(R"('shape'\s*:\s*\(([^)]*)\))"))) bad(path, "no shape in header");
  std::vector<int64_t> shape;
  std::stringstream dims(m[1].str());
  for (std::string tok; std::getline(dims, tok, ',');) {
    if (tok.find_first_not_of(" ") == std::string::npos) continue;
    shape.push_back(std::stoll(tok));
  }
  auto t = torch::empty(shape, torch::TensorOptions().dtype(type));
  const auto nbytes = static_cast<std::streamsize>(t.numel() * t.element_size());
  if (nbytes > 0 && !in.read(static_cast<char*>(t.data_ptr()), nbytes)) {
    bad(path, "truncated data (expected " + std::to_string(nbytes) + " bytes)");
  }
  return t;
}

void write_npy(const std::filesystem::path& path, const torch::Tensor& tensor) {
  auto t = tensor.detach().to(torch::kCPU).contiguous();
  const char* descr = nullptr;
  for (const auto& d : kDtypes) {
    if (d.type == t.scalar_type()) descr = d.descr;
  }
  if (!descr) throw Error("cannot write " + path.string() + ": unsupported dtype " + std::string(c10::toString(t.scalar_type())));
  std::string shape = "(";
  for (int64_t i = 0; i < t.dim(); ++i) shape += (i ? ", " : "") + std::to_string(t.size(i));
  shape += t.dim() == 1 ? ",)" : ")";
  const char order = (std::string(descr) == "u1" || std::string(descr) == "i1" || std::string(descr) == "b1") ? '|' : '<';
  std::string header = "{'descr': '" + std::string(1, order) + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  // Pad so that magic(6) + version(2) + len(2) + header + '\n' is a multiple of 64.
  const size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  write_file_atomic(path, [&](std::ostream& out) {
    out.write("\x93NUMPY\x01\x00", 8);
    const uint16_t len = static_cast<uint16_t>(header.size());
    const char lb[2] = {static_cast<char>(len & 0xff), static_cast<char>(len >> 8)};
    out.write(lb, 2);
    out.write(header.data(), static_cast<std::streamsize>(header.size()));
    out.write(static_cast<const char*>(t.data_ptr()), static_cast<std::streamsize>(t.numel() * t.element_size()));
  });
}

}  // namespace egsde
