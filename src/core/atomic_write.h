// Atomic file writes: write to a temp file in the same directory, then rename over the target.
// A crash leaves either the old file or the new one, never a torn file.
#pragma once
#include <filesystem>
#include <functional>
#include <ostream>
#include <string_view>

namespace egsde {

// Calls `write(stream)` on a temp file next to `path`, flushes, then renames it to `path`.
// Throws egsde::Error (naming `path`) if the directory is not writable or the write fails.
void write_file_atomic(const std::filesystem::path& path,
                       const std::function<void(std::ostream&)>& write);

void write_file_atomic(const std::filesystem::path& path, std::string_view bytes);

}  // namespace egsde
