// Building glibc's malloc tests: extract malloc/ from the glibc-source
// tarball into the build folder, compile the project's test driver once and
// each test against it. Everything is cached in the build folder (a rerun
// compiles only what changed) and guarded by a lock there, so concurrent
// runs share one folder safely.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace allocscope::conform {

struct BuildSetup {
  std::string tarball;     // glibc-X.Y.tar.xz
  std::string build_dir;   // cache: src/, obj/, bin/, log/
  std::string driver_dir;  // harness/conform/driver (include/ and src/)
  std::string cc = "cc";
  int jobs = 2;
  std::function<void(const std::string&)> progress;  // one line of progress, may be empty
};

// The tarball to use: `given` if not empty (it must exist), else the one
// Debian's glibc-source installs in /usr/src/glibc. Throws InputError.
std::string find_glibc_tarball(const std::string& given);

// "2.36" for ".../glibc-2.36.tar.xz".
std::string glibc_version_of(const std::string& tarball);

struct BuiltTests {
  std::string malloc_dir;                    // the extracted malloc/ folder
  std::map<std::string, std::string> error;  // test name -> compiler message (only failed builds)
  std::string binary(const std::string& name) const { return bin_dir + "/" + name; }
  std::string bin_dir;
};

// Extracts (if needed) and returns the malloc folder; no compiling.
std::string prepare_sources(const BuildSetup& setup);

// Compiles the driver and the named tests (those not up to date).
BuiltTests build_tests(const BuildSetup& setup, const std::vector<std::string>& names);

}  // namespace allocscope::conform
