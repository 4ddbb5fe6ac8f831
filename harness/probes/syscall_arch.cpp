#include "harness/probes/syscall_arch.hpp"

#include <elf.h>
#include <linux/audit.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>

namespace allocscope {

#if defined(__x86_64__)

uint32_t seccomp_audit_arch() {
  return AUDIT_ARCH_X86_64;
}
const char* syscall_arch_name() {
  return "x86-64";
}
long stopped_syscall_number(pid_t tid) {
  user_regs_struct regs{};
  if (::ptrace(PTRACE_GETREGS, tid, nullptr, &regs) != 0) return -1;
  return static_cast<long>(regs.orig_rax);
}

#elif defined(__aarch64__)

uint32_t seccomp_audit_arch() {
  return AUDIT_ARCH_AARCH64;
}
const char* syscall_arch_name() {
  return "aarch64";
}
long stopped_syscall_number(pid_t tid) {
  user_pt_regs regs{};
  iovec iov{&regs, sizeof regs};
  if (::ptrace(PTRACE_GETREGSET, tid, reinterpret_cast<void*>(NT_PRSTATUS), &iov) != 0) return -1;
  return static_cast<long>(regs.regs[8]);  // x8 holds the number at syscall entry
}

#else
#error "allocscope counts syscalls by seccomp+ptrace on x86-64 and aarch64 only: add this architecture here"
#endif

}  // namespace allocscope
