// Terminal output of the commands: data on stdout, messages on stderr.
// stdout is flushed before every message, so that when both go to one file
// (CI logs: cmd > log 2>&1) a closing line never lands inside a table.
#pragma once

#include <fmt/format.h>

#include <cstdio>
#include <string>

namespace allocscope {

// Writes `text` to stdout and flushes it.
inline void print_out(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

// One line on stderr, after whatever stdout holds.
template <typename... Args>
void note(fmt::format_string<Args...> format, Args&&... args) {
  std::fflush(stdout);
  std::string line = fmt::format(format, std::forward<Args>(args)...) + "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace allocscope
