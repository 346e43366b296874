#include "metrics/npz.h"

#include <zlib.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "core/atomic_write.h"
#include "core/error.h"
#include "core/npy.h"

namespace egsde::metrics {
namespace fs = std::filesystem;

namespace {

uint64_t le(const std::string& b, size_t pos, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(b[pos + i]);
  return v;
}

void put(std::string& out, uint64_t v, int n) {
  for (int i = 0; i < n; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

std::string inflate_raw(std::string_view in, size_t out_size, const std::string& what) {
  std::string out(out_size, '\0');
  z_stream zs{};
  if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) throw Error("zlib init failed for " + what);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = inflate(&zs, Z_FINISH);
  inflateEnd(&zs);
  if (rc != Z_STREAM_END || zs.total_out != out_size) throw Error("corrupt deflate data in " + what);
  return out;
}

}  // namespace

std::map<std::string, torch::Tensor> read_npz(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot read " + path.string() + ": file not found or not readable");
  std::ostringstream ss;
  ss << in.rdbuf();
  const std::string b = ss.str();
  auto bad = [&](const std::string& what) -> Error {
    return Error("cannot read " + path.string() + ": " + what + " (expected an .npz written by numpy.savez)");
  };
  // End of central directory: the last "PK\5\6" record.
  if (b.size() < 22) throw bad("too short for a zip archive");
  size_t eocd = std::string::npos;
  for (size_t i = b.size() - 22 + 1; i-- > 0 && b.size() - i <= 22 + 65535;) {
    if (le(b, i, 4) == 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd == std::string::npos) throw bad("no zip end-of-central-directory record");
  uint64_t entries = le(b, eocd + 10, 2), cd_offset = le(b, eocd + 16, 4);
  if ((entries == 0xffff || cd_offset == 0xffffffff) && eocd >= 20 && le(b, eocd - 20, 4) == 0x07064b50) {
    const uint64_t z64 = le(b, eocd - 20 + 8, 8);
    if (z64 + 56 > b.size() || le(b, z64, 4) != 0x06064b50) throw bad("bad zip64 end record");
    entries = le(b, z64 + 32, 8);
    cd_offset = le(b, z64 + 48, 8);
  }
  std::map<std::string, torch::Tensor> out;
  size_t pos = cd_offset;
  for (uint64_t e = 0; e < entries; ++e) {
    if (pos + 46 > b.size() || le(b, pos, 4) != 0x02014b50) throw bad("bad central directory");
    const int method = static_cast<int>(le(b, pos + 10, 2));
    uint64_t csize = le(b, pos + 20, 4), usize = le(b, pos + 24, 4);
    const size_t name_len = le(b, pos + 28, 2), extra_len = le(b, pos + 30, 2), comment_len = le(b, pos + 32, 2);
    uint64_t local = le(b, pos + 42, 4);
    if (pos + 46 + name_len + extra_len > b.size()) throw bad("bad central directory");
    const std::string name = b.substr(pos + 46, name_len);
    // zip64 extended information: the 0xffffffff fields, in order usize, csize, offset.
    for (size_t x = pos + 46 + name_len; x + 4 <= pos + 46 + name_len + extra_len;) {
      const uint64_t id = le(b, x, 2), len = le(b, x + 2, 2);
      if (id == 0x0001) {
        size_t f = x + 4;
        if (usize == 0xffffffff) usize = le(b, f, 8), f += 8;
        if (csize == 0xffffffff) csize = le(b, f, 8), f += 8;
        if (local == 0xffffffff) local = le(b, f, 8);
      }
      x += 4 + len;
    }
    pos += 46 + name_len + extra_len + comment_len;
    if (local + 30 > b.size() || le(b, local, 4) != 0x04034b50) throw bad("bad local header for " + name);
    const size_t data = local + 30 + le(b, local + 26, 2) + le(b, local + 28, 2);
    if (data + csize > b.size()) throw bad("truncated member " + name);
    const std::string_view raw(b.data() + data, csize);
    std::string bytes;
    if (method == 0) bytes = std::string(raw);
    else if (method == 8) bytes = inflate_raw(raw, usize, path.string() + ":" + name);
    else throw bad("member " + name + " uses zip method " + std::to_string(method) + " (only stored/deflate)");
    std::string key = name;
    if (key.size() > 4 && key.compare(key.size() - 4, 4, ".npy") == 0) key.resize(key.size() - 4);
    out[key] = parse_npy(bytes, path.string() + ":" + name);
  }
  return out;
}

void write_npz(const fs::path& path, const std::vector<std::pair<std::string, torch::Tensor>>& arrays) {
  std::string zip, cd;
  for (const auto& [key, tensor] : arrays) {
    const std::string name = key + ".npy";
    const std::string data = npy_bytes(tensor);
    const uint32_t crc = crc32(0L, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size()));
    if (data.size() >= 0xffffffffULL || zip.size() >= 0xffffffffULL) {
      throw Error("cannot write " + path.string() + ": arrays over 4 GB are not supported");
    }
    const uint64_t offset = zip.size();
    // local file header: version 20, no flags, stored, DOS date 1980-01-01
    put(zip, 0x04034b50, 4); put(zip, 20, 2); put(zip, 0, 2); put(zip, 0, 2); put(zip, 0, 2); put(zip, 0x21, 2);
    put(zip, crc, 4); put(zip, data.size(), 4); put(zip, data.size(), 4); put(zip, name.size(), 2); put(zip, 0, 2);
    zip += name;
    zip += data;
    put(cd, 0x02014b50, 4); put(cd, 20, 2); put(cd, 20, 2); put(cd, 0, 2); put(cd, 0, 2); put(cd, 0, 2);
    put(cd, 0x21, 2); put(cd, crc, 4); put(cd, data.size(), 4); put(cd, data.size(), 4); put(cd, name.size(), 2);
    put(cd, 0, 2); put(cd, 0, 2); put(cd, 0, 2); put(cd, 0, 2); put(cd, 0, 4); put(cd, offset, 4);
    cd += name;
  }
  const uint64_t cd_offset = zip.size();
  zip += cd;
  put(zip, 0x06054b50, 4); put(zip, 0, 2); put(zip, 0, 2); put(zip, arrays.size(), 2); put(zip, arrays.size(), 2);
  put(zip, cd.size(), 4); put(zip, cd_offset, 4); put(zip, 0, 2);
  write_file_atomic(path, zip);
}

}  // namespace egsde::metrics
