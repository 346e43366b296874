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

torch::Tensor parse_npy(std::string_view bytes, const std::string& what) {
  const std::filesystem::path path = what;  // only names the source in messages
  size_t pos = 0;
  auto take = [&](size_t n) {
    if (bytes.size() - pos < n) bad(path, "truncated header");
    const char* p = bytes.data() + pos;
    pos += n;
    return p;
  };
  if (bytes.size() < 8 || std::memcmp(bytes.data(), "\x93NUMPY", 6) != 0) {
    bad(path, "not a .npy file (missing \\x93NUMPY magic); save it with numpy.save");
  }
  const char* magic = take(8);
  const int major = static_cast<unsigned char>(magic[6]);
  uint32_t header_len = 0;
  if (major == 1) {
    const auto* b = reinterpret_cast<const unsigned char*>(take(2));
    header_len = b[0] | (b[1] << 8);
  } else if (major == 2 || major == 3) {
    const auto* b = reinterpret_cast<const unsigned char*>(take(4));
    header_len = b[0] | (b[1] << 8) | (b[2] << 16) | (static_cast<uint32_t>(b[3]) << 24);
  } else {
    bad(path, "unsupported .npy version " + std::to_string(major));
  }
  const std::string header(take(header_len), header_len);
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
  const auto nbytes = static_cast<size_t>(t.numel() * t.element_size());
  if (bytes.size() - pos < nbytes) bad(path, "truncated data (expected " + std::to_string(nbytes) + " bytes)");
  if (nbytes > 0) std::memcpy(t.data_ptr(), bytes.data() + pos, nbytes);
  return t;
}

torch::Tensor read_npy(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) bad(path, "file not found or not readable");
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return parse_npy(bytes.str(), path.string());
}

std::string npy_bytes(const torch::Tensor& tensor) {
  auto t = tensor.detach().to(torch::kCPU).contiguous();
  const char* descr = nullptr;
  for (const auto& d : kDtypes) {
    if (d.type == t.scalar_type()) descr = d.descr;
  }
  if (!descr) {
    throw Error("unsupported dtype " + std::string(c10::toString(t.scalar_type())) +
                " for .npy (use float32/float64/int/uint8/bool)");
  }
  std::string shape = "(";
  for (int64_t i = 0; i < t.dim(); ++i) shape += (i ? ", " : "") + std::to_string(t.size(i));
  shape += t.dim() == 1 ? ",)" : ")";
  const char order = (std::string(descr) == "u1" || std::string(descr) == "i1" || std::string(descr) == "b1") ? '|' : '<';
  std::string header = "{'descr': '" + std::string(1, order) + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  // Pad so that magic(6) + version(2) + len(2) + header + '\n' is a multiple of 64.
  const size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  const uint16_t len = static_cast<uint16_t>(header.size());
  out += static_cast<char>(len & 0xff);
  out += static_cast<char>(len >> 8);
  out += header;
  out.append(static_cast<const char*>(t.data_ptr()), static_cast<size_t>(t.numel() * t.element_size()));
  return out;
}

void write_npy(const std::filesystem::path& path, const torch::Tensor& tensor) {
  std::string bytes;
  try {
    bytes = npy_bytes(tensor);
  } catch (const Error& e) {
    throw Error("cannot write " + path.string() + ": " + e.what());
  }
  write_file_atomic(path, bytes);
}

}  // namespace egsde
