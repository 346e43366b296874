#include "core/json_io.h"

#include <fstream>
#include <sstream>

#include "core/atomic_write.h"
#include "core/error.h"

namespace egsde {

nlohmann::json read_json_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw Error("cannot read " + path.string() + ": file not found or not readable");
  std::stringstream text;
  text << in.rdbuf();
  try {
    return nlohmann::json::parse(text.str());
  } catch (const nlohmann::json::parse_error& e) {
    throw Error("cannot read " + path.string() + ": invalid JSON at byte " + std::to_string(e.byte) +
                " (a yml profile must be converted to JSON first)");
  }
}

void write_json_file(const std::filesystem::path& path, const nlohmann::json& value) {
  write_file_atomic(path, value.dump(2) + "\n");
}

}  // namespace egsde
