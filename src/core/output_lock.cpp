#include "core/output_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "core/error.h"

namespace egsde {

OutputLock OutputLock::acquire(const std::filesystem::path& root, const std::string& command) {
  std::error_code ec;
  std::filesystem::create_directories(root, ec);
  if (ec || !std::filesystem::is_directory(root)) {
    throw Error("cannot create output folder " + root.string() + ": " +
                (ec ? ec.message() : std::string("a file of that name exists")) +
                "; choose another --output");
  }
  const std::filesystem::path file = root / kOutputLockName;
  const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    throw Error("cannot write to output folder " + root.string() + " (" + std::strerror(errno) +
                "); choose a folder you may write to with --output");
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) {
      throw Error("another egsde process is writing " + root.string() + " (it holds " +
                  file.string() + "); wait for it to finish, or give this " + command +
                  " another --output");
    }
    throw Error("cannot lock " + file.string() + ": " + std::strerror(err));
  }
  return OutputLock(fd);
}

OutputLock::OutputLock(OutputLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

OutputLock& OutputLock::operator=(OutputLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

OutputLock::~OutputLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor releases the flock
}

}  // namespace egsde
