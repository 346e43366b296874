// One error type for everything a user can get wrong: the message is a single line that says
// what went wrong, which file, and what to do. The CLI prints it and exits non-zero.
#pragma once
#include <stdexcept>
#include <string>

namespace egsde {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace egsde
