// Bad input from the user (command line, suite file, config, results or
// trace file). The message names the source (file:line or offset) and what
// was expected; the CLI prints it and exits with status 2.
#pragma once

#include <stdexcept>
#include <string>

namespace allocscope {

class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

constexpr int kExitBadInput = 2;

}  // namespace allocscope
