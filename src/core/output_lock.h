// An exclusive lock on an output root, so that two egsde processes never write the same run or
// translation folder at once (issue 19). flock(2) on ROOT/.egsde.lock: the kernel drops it when
// the process exits, however it exits (kill -9 included), so a stale lock never blocks a resume.
#pragma once
#include <filesystem>
#include <string>

namespace egsde {

// The lock file's name inside an output root; listings of egsde's own files skip it.
inline constexpr const char* kOutputLockName = ".egsde.lock";

class OutputLock {
 public:
  // Creates `root` if needed and takes the lock without waiting. Throws egsde::Error with one
  // line when another process holds it ("another egsde <command> is writing ROOT ...") or when
  // the lock file cannot be created (names the path and the reason).
  static OutputLock acquire(const std::filesystem::path& root, const std::string& command);

  OutputLock(OutputLock&& other) noexcept;
  OutputLock& operator=(OutputLock&& other) noexcept;
  OutputLock(const OutputLock&) = delete;
  OutputLock& operator=(const OutputLock&) = delete;
  ~OutputLock();

 private:
  explicit OutputLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace egsde
