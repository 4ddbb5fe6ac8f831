// Helpers shared by the whole-program workloads (python3, sqlite3, redis,
// gxx): each runs a program under the allocator by LD_PRELOAD as an --exec
// style job; inputs ship in workloads/realistic/inputs; a missing program
// makes the plan skip the workload with the reason.
#pragma once

#include <initializer_list>
#include <memory>
#include <string>

#include "allocscope/workload.hpp"

namespace allocscope::realistic {

// Path of a file in workloads/realistic/inputs.
std::string input(const std::string& name);
// True when every program is executable; otherwise *why names the first one missing.
bool have(std::initializer_list<const char*> programs, std::string* why);
// The file glibc's malloc lives in, for preloading it ahead of a program's
// own linked allocator.
std::string glibc_path();
// No Workload object: these never run inside the worker.
inline std::unique_ptr<Workload> none() {
  return nullptr;
}

}  // namespace allocscope::realistic
