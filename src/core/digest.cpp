#include "core/digest.h"

#include <fstream>
#include <vector>

#include "core/error.h"

namespace egsde {

void Fnv1a64::add(std::string_view bytes) {
  for (unsigned char c : bytes) {
    h_ ^= c;
    h_ *= 0x100000001b3ULL;
  }
}

void Fnv1a64::add_field(std::string_view s) {
  add(s);
  add(std::string_view("\0", 1));
}

void Fnv1a64::add_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot read " + path.string() + " to hash it");
  std::vector<char> buf(1 << 16);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    add(std::string_view(buf.data(), static_cast<size_t>(in.gcount())));
  }
  if (in.bad()) throw Error("read error in " + path.string() + " while hashing it");
}

std::string Fnv1a64::hex() const { return hex_digits(h_, 16); }

uint64_t fnv1a64(std::string_view bytes, uint64_t basis) {
  Fnv1a64 f(basis);
  f.add(bytes);
  return f.value();
}

std::string hex_digits(uint64_t value, int digits) {
  static const char* kHex = "0123456789abcdef";
  std::string out(static_cast<std::size_t>(digits), '0');
  for (int i = digits - 1; i >= 0; --i, value >>= 4) out[static_cast<std::size_t>(i)] = kHex[value & 0xf];
  return out;
}

std::string file_digest(const std::filesystem::path& path) {
  Fnv1a64 f(kEgsdeDigestBasis);
  f.add_file(path);
  return f.hex();
}

}  // namespace egsde
