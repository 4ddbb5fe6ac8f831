// Helpers shared by the commands that run a helper program of allocscope
// (allocscope-stress, allocscope-probe) under each allocator in a child.
#pragma once

#include <string>
#include <vector>

#include "allocator/adapters/adapter.hpp"
#include "harness/runner/launcher.hpp"

namespace allocscope {

// The folder of the running allocscope executable (helpers live beside it).
std::string helper_dir();

// Runs `argv` under `a` (LD_PRELOAD) through the launcher: no syscall
// counting or RSS sampling, the given timeout and memory limit.
LaunchResult run_under(const Adapter& a, std::vector<std::string> argv, double timeout_s, uint64_t mem_limit);

// Last `lines` non-empty lines of `text`.
std::string last_lines(const std::string& text, size_t lines);

}  // namespace allocscope
