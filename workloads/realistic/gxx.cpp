// gxx: g++ compiling a fixed C++ file.
#include <cstdio>

#include "workloads/realistic/programs.hpp"

namespace allocscope::realistic {
namespace {

// First line of a command's output ("" on failure).
std::string first_line(const char* cmd) {
  std::string out;
  if (FILE* f = ::popen(cmd, "r")) {
    char buf[512];
    if (std::fgets(buf, sizeof buf, f)) out = buf;
    ::pclose(f);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

ALLOCSCOPE_WORKLOAD({
    .name = "gxx",
    .category = "realistic",
    .doc = "whole program: the C++ compiler proper (cc1plus, found through g++) compiling a "
           "fixed template-heavy file; many small tree nodes; output discarded",
    .params = {{"opt", ParamType::String, "O1", "optimization level", 0, 0, {"O0", "O1", "O2", "O3"}}},
    .multithreaded = false,
    .make = none,
    .command = [](const Params& p, std::string* why) -> std::vector<std::string> {
      if (!have({"/usr/bin/g++"}, why)) return {};
      // Run cc1plus itself so the measured process is the compiler, not the driver.
      const std::string cc1 = first_line("/usr/bin/g++ -print-prog-name=cc1plus 2>/dev/null");
      const std::string multiarch = first_line("/usr/bin/g++ -print-multiarch 2>/dev/null");
      if (cc1.empty() || cc1[0] != '/' || multiarch.empty()) {
        *why = "g++ does not name its cc1plus (g++ -print-prog-name=cc1plus)";
        return {};
      }
      return {cc1,          "-quiet",         "-imultiarch",           multiarch, "-D_GNU_SOURCE",
              "-std=c++20", "-" + p.s("opt"), input("compile_me.cpp"), "-o",      "/dev/null"};
    },
});

}  // namespace
}  // namespace allocscope::realistic
