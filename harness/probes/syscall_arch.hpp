// The architecture-specific part of counting syscalls with seccomp + ptrace:
// which audit architecture the filter matches and where the syscall number
// sits in the registers of a stopped task. Supported: x86-64 (orig_rax) and
// aarch64 (x8). Any other architecture fails to compile here, rather than
// counting nothing at run time.
#pragma once

#include <sys/types.h>

#include <cstdint>

namespace allocscope {

// AUDIT_ARCH_* value of the architecture this program is built for.
uint32_t seccomp_audit_arch();

// Name of this architecture as results and messages show it.
const char* syscall_arch_name();

// The syscall number of a task in a seccomp stop, or -1 when the registers
// cannot be read.
long stopped_syscall_number(pid_t tid);

}  // namespace allocscope
