// What a translation wrote, as translate.json keeps it under "outputs":
//   {"0/cat_a.jpg": {"size": 4242, "digest": "<file_digest, 16 hex digits>"}, ...}
// (paths relative to the output folder). Resume trusts an output only when its entry still
// matches the file's size and FNV-1a digest (core/digest.h): a missing, truncated, changed or
// foreign file is translated again.
#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace egsde {

class OutputRecords {
 public:
  OutputRecords() = default;
  // Entries of a translate.json "outputs" object; malformed entries are left out (not trusted).
  static OutputRecords from_json(const nlohmann::json& outputs);
  nlohmann::json to_json() const;

  // The entries whose files under `root` still have the recorded size and digest.
  OutputRecords verified(const std::filesystem::path& root) const;
  bool contains(const std::string& rel) const { return entries_.count(rel) != 0; }
  // Records root/rel as it is on disk now (just written by egsde). Throws egsde::Error if unreadable.
  void record(const std::filesystem::path& root, const std::string& rel);
  bool empty() const { return entries_.empty(); }

 private:
  struct Entry {
    uintmax_t size = 0;
    std::string digest;
  };
  std::map<std::string, Entry> entries_;
};

}  // namespace egsde
