#include "core/json_io.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "core/atomic_write.h"
#include "core/error.h"

namespace egsde {
namespace {

// "line L, column C" (1-based) of byte offset `pos` (0-based) in `text`.
std::string position(const std::string& text, std::size_t pos) {
  pos = std::min(pos, text.size());
  const auto line = 1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(pos), '\n');
  const std::size_t nl = pos == 0 ? std::string::npos : text.rfind('\n', pos - 1);
  const std::size_t column = 1 + pos - (nl == std::string::npos ? 0 : nl + 1);
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

// nlohmann's reason without its "[json.exception...] parse error at line L, column C: " prefix.
std::string reason(const nlohmann::json::parse_error& e) {
  const std::string what = e.what();
  const std::size_t colon = what.find(": ");
  return colon == std::string::npos ? what : what.substr(colon + 2);
}

}  // namespace

nlohmann::json read_json_file(const std::filesystem::path& path, const std::string& fix) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot read " + path.string() + ": file not found or not readable");
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    const std::string where = "cannot read " + path.string() + ": ";
    const std::size_t content = text.find_last_not_of(" \t\r\n") + 1;  // 0 when blank
    if (content == 0) throw Error(where + "the file is empty; " + fix);
    // e.byte: 1-based offset of the last character read; past the content = the input ended early.
    if (e.byte >= content + 1)
      throw Error(where + "truncated JSON (the file ends at " + position(text, text.size()) +
                  " before the document is complete); " + fix);
    throw Error(where + "invalid JSON at " + position(text, e.byte == 0 ? 0 : e.byte - 1) + " (" + reason(e) + "); " + fix);
  }
}

nlohmann::json read_json_file(const std::filesystem::path& path) {
  return read_json_file(path, "a yml profile must be converted to JSON first");
}

void write_json_file(const std::filesystem::path& path, const nlohmann::json& value) {
  write_file_atomic(path, value.dump(2) + "\n");
}

}  // namespace egsde
