#include "workloads/realistic/programs.hpp"

#include <dlfcn.h>
#include <gnu/libc-version.h>
#include <unistd.h>

#ifndef ALLOCSCOPE_SOURCE_DIR
#define ALLOCSCOPE_SOURCE_DIR "."
#endif

namespace allocscope::realistic {

std::string input(const std::string& name) {
  return std::string(ALLOCSCOPE_SOURCE_DIR) + "/workloads/realistic/inputs/" + name;
}

bool have(std::initializer_list<const char*> programs, std::string* why) {
  for (const char* p : programs)
    if (::access(p, X_OK) != 0) {
      *why = std::string(p) + " is not installed (scripts/bootstrap installs it)";
      return false;
    }
  return true;
}

std::string glibc_path() {
  Dl_info info{};
  if (::dladdr(reinterpret_cast<void*>(&gnu_get_libc_version), &info) && info.dli_fname) return info.dli_fname;
  return "libc.so.6";
}

}  // namespace allocscope::realistic
