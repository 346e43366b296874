// FNV-1a 64 (the one hash of the tree): run ids, shard assignment, per-image seeds, dataset
// manifests, FID statistics cache keys, and the size + digest records that resume trusts.
// Not cryptographic: it detects truncated, changed or foreign files, not tampering.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace egsde {

// FNV's offset basis, and the one egsde's per-image seeds, dataset manifests, FID cache keys and
// file digests were first made with (FNV's with its last digit dropped). Both stay: changing the
// second would change every committed seed, manifest and digest.
inline constexpr uint64_t kFnvOffsetBasis = 0xcbf29ce484222325ULL;
inline constexpr uint64_t kEgsdeDigestBasis = 1469598103934665603ULL;

class Fnv1a64 {
 public:
  explicit Fnv1a64(uint64_t basis = kFnvOffsetBasis) : h_(basis) {}
  void add(std::string_view bytes);
  void add_field(std::string_view s);               // s then a NUL separator
  void add_file(const std::filesystem::path& path);  // throws egsde::Error naming the file
  uint64_t value() const { return h_; }
  std::string hex() const;  // 16 lowercase hex digits

 private:
  uint64_t h_;
};

uint64_t fnv1a64(std::string_view bytes, uint64_t basis = kFnvOffsetBasis);

// `value` as `digits` lowercase hex digits (the low ones when fewer than 16).
std::string hex_digits(uint64_t value, int digits = 16);

// FNV-1a 64 (kEgsdeDigestBasis) of a file's bytes as 16 hex digits. Throws egsde::Error if unreadable.
std::string file_digest(const std::filesystem::path& path);

}  // namespace egsde
