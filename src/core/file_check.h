// Why a path that should be a file is not one, in the words of a one-line error.
#pragma once
#include <filesystem>
#include <string>

namespace egsde {

// "" for a regular file (or a link to one), else "is a folder, not a file" or "does not exist".
inline std::string not_a_file_reason(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_regular_file(path, ec)) return "";
  if (std::filesystem::is_directory(path, ec)) return "is a folder, not a file";
  if (std::filesystem::exists(path, ec)) return "is not a regular file";
  return "does not exist";
}

}  // namespace egsde
