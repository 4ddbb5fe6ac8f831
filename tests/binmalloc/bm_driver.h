// Driver helpers for the binmalloc acceptance tests: run a test program (or a
// real program) as a child process, with libbinmalloc.so preloaded or not,
// and capture its output.
//
// Modes:
//   - binmalloc (default when the `binmalloc` target exists): programs run
//     with LD_PRELOAD=<libbinmalloc.so> and BMTEST_EXPECT_BINMALLOC=1;
//   - glibc reference (environment BMTEST_REFERENCE=glibc): programs run
//     without preload, validating the programs and their expectations
//     against glibc malloc;
//   - unavailable: the library target does not exist; tests skip.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace bmtest {

enum class Mode { kBinmalloc, kGlibc, kUnavailable };

Mode mode();
const char *mode_name();
// Path of libbinmalloc.so, or "" when the target does not exist.
std::string lib_path();

struct RunOptions {
  std::vector<std::string> argv;
  // Extra / overriding environment variables for the child.
  std::map<std::string, std::string> env;
  // Preload libbinmalloc.so (only in binmalloc mode).
  bool preload = true;
  std::string cwd;
  std::string stdin_data;
  int timeout_s = 120;
};

struct RunResult {
  bool exited = false;
  int exit_code = -1;
  int signal = 0;
  bool timed_out = false;
  std::string out;
  std::string err;
  std::string command;

  bool ok() const { return exited && exit_code == 0 && !timed_out; }
  // One-line status plus (shortened) stdout/stderr, for failure messages.
  std::string describe(std::size_t max_chars = 6000) const;
};

RunResult run(const RunOptions &opts);

// Find an executable by absolute path or in PATH; nullopt if missing.
std::optional<std::string> find_program(const std::string &name);

// Environment variables that disable the thread cache in both binmalloc and
// glibc.
std::map<std::string, std::string> tcache_off_env();

// Temporary directory removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir &) = delete;
  TempDir &operator=(const TempDir &) = delete;
  const std::string &path() const { return path_; }

 private:
  std::string path_;
};

std::string read_file(const std::string &path);
void write_file(const std::string &path, const std::string &data);

}  // namespace bmtest

// Skip the test when binmalloc is not available (and no glibc reference run
// was requested).
#define BMTEST_REQUIRE_ALLOCATOR()                                                    \
  do {                                                                                \
    if (::bmtest::mode() == ::bmtest::Mode::kUnavailable)                             \
      GTEST_SKIP() << "the binmalloc library target does not exist in this build; "   \
                      "set BMTEST_REFERENCE=glibc to validate the programs on glibc"; \
  } while (0)
