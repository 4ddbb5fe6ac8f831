// A test that needs an outside tool (valgrind, chromium, a whole program):
// without it the test is skipped, and the skip is visible in ctest. In CI
// (CI set and not "false"), where scripts/bootstrap installed every tool, a
// missing one is a failure instead of a skip.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace allocscope::test {

inline bool in_ci() {
  const char* ci = std::getenv("CI");
  return ci && *ci && std::string(ci) != "false" && std::string(ci) != "0";
}

// True when `path_or_name` is an executable file, or a program found in PATH.
inline bool have_program(const std::string& path_or_name) {
  if (path_or_name.find('/') != std::string::npos) return ::access(path_or_name.c_str(), X_OK) == 0;
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  for (size_t at = 0; at <= dirs.size();) {
    size_t end = dirs.find(':', at);
    if (end == std::string::npos) end = dirs.size();
    std::string cand = dirs.substr(at, end - at) + "/" + path_or_name;
    if (::access(cand.c_str(), X_OK) == 0) return true;
    at = end + 1;
  }
  return false;
}

}  // namespace allocscope::test

// Skips the test (fails it in CI) when the program is missing.
#define ALLOCSCOPE_REQUIRE_PROGRAM(prog)                                                                        \
  do {                                                                                                          \
    if (!::allocscope::test::have_program(prog)) {                                                              \
      if (::allocscope::test::in_ci()) FAIL() << (prog) << " is missing in CI (scripts/bootstrap installs it)"; \
      GTEST_SKIP() << (prog) << " is not installed";                                                            \
    }                                                                                                           \
  } while (0)
