#include "core/atomic_write.h"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <unistd.h>

#include "core/error.h"

namespace egsde {
namespace {
// What errno says now ("No space left on device"), for the message; "" when errno is 0.
std::string errno_reason() {
  return errno != 0 ? std::string(": ") + std::strerror(errno) : std::string();
}
}  // namespace

void write_file_atomic(const std::filesystem::path& path,
                       const std::function<void(std::ostream&)>& write) {
  namespace fs = std::filesystem;
  static std::atomic<unsigned> counter{0};
  const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  if (!fs::is_directory(dir)) {
    throw Error("cannot write " + path.string() + ": directory " + dir.string() +
                " does not exist; create it first");
  }
  const fs::path tmp = dir / ("." + path.filename().string() + ".tmp." + std::to_string(::getpid()) +
                              "." + std::to_string(counter++));
  {
    errno = 0;
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw Error("cannot write " + path.string() + ": cannot create a file in " + dir.string() + errno_reason());
    try {
      write(out);
    } catch (...) {
      out.close();
      std::error_code ec;
      fs::remove(tmp, ec);
      throw;
    }
    errno = 0;
    out.flush();
    if (out) out.close();  // close() writes what the buffer still holds: its failure counts too
    if (!out) {
      const std::string reason = errno_reason();
      std::error_code ec;
      fs::remove(tmp, ec);
      throw Error("cannot write " + path.string() + ": write failed" + (reason.empty() ? " (disk full?)" : reason));
    }
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    const std::string reason = ec.message();  // before remove() below reuses `ec`
    fs::remove(tmp, ec);
    throw Error("cannot write " + path.string() + ": rename failed: " + reason);
  }
}

void write_file_atomic(const std::filesystem::path& path, std::string_view bytes) {
  write_file_atomic(path, [&](std::ostream& out) { out.write(bytes.data(), static_cast<std::streamsize>(bytes.size())); });
}

}  // namespace egsde
