#include "translate/output_records.h"

#include <system_error>

#include "core/digest.h"
#include "core/error.h"

namespace egsde {

OutputRecords OutputRecords::from_json(const nlohmann::json& outputs) {
  OutputRecords r;
  if (!outputs.is_object()) return r;
  for (const auto& [rel, e] : outputs.items()) {
    if (!e.is_object() || !e.contains("size") || !e["size"].is_number_unsigned() || !e.contains("digest") ||
        !e["digest"].is_string())
      continue;
    r.entries_[rel] = Entry{e["size"].get<uintmax_t>(), e["digest"].get<std::string>()};
  }
  return r;
}

nlohmann::json OutputRecords::to_json() const {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [rel, e] : entries_) j[rel] = {{"size", e.size}, {"digest", e.digest}};
  return j;
}

OutputRecords OutputRecords::verified(const std::filesystem::path& root) const {
  OutputRecords out;
  for (const auto& [rel, e] : entries_) {
    const auto path = root / rel;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec) || std::filesystem::file_size(path, ec) != e.size || ec) continue;
    try {
      if (file_digest(path) == e.digest) out.entries_[rel] = e;
    } catch (const std::exception&) {
      // unreadable: not trusted, translated again
    }
  }
  return out;
}

void OutputRecords::record(const std::filesystem::path& root, const std::string& rel) {
  const auto path = root / rel;
  std::error_code ec;
  const uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) throw Error("cannot read " + path.string() + " after writing it: " + ec.message());
  entries_[rel] = Entry{size, file_digest(path)};
}

}  // namespace egsde
