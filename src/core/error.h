// One error type for everything a user can get wrong: the message is a single line that says
// what went wrong, which file, and what to do. The CLI prints it and exits non-zero. A few
// errors add detail lines after that first line, each indented by two spaces (a checkpoint
// that does not match its config lists keys and suggests settings); the CLI prints those too.
#pragma once
#include <stdexcept>
#include <string>

namespace egsde {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace egsde
