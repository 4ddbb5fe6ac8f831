// Fallback for counting memory syscalls when perf_event_open cannot be used:
// the child installs a seccomp filter that traps only the memory syscalls
// (SECCOMP_RET_TRACE) and the ptracing parent counts each trap. About 50 us
// per traced call, so results record which method produced them.
#pragma once

#include <map>
#include <string>

namespace allocscope {

// Child side, after PTRACE_TRACEME and before exec: async-signal-safe.
// Returns false if the filter could not be installed.
bool install_memory_syscall_trap();

// Name of a trapped syscall number ("" for others).
const char* memory_syscall_name(long nr);

}  // namespace allocscope
