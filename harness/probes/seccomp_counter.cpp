#include "harness/probes/seccomp_counter.hpp"

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstddef>

#include "harness/probes/syscall_arch.hpp"

namespace allocscope {

namespace {

struct Trapped {
  long nr;
  const char* name;
};
constexpr Trapped kTrapped[] = {{SYS_mmap, "mmap"}, {SYS_munmap, "munmap"},   {SYS_mremap, "mremap"},
                                {SYS_brk, "brk"},   {SYS_madvise, "madvise"}, {SYS_mprotect, "mprotect"}};

}  // namespace

bool install_memory_syscall_trap() {
  // Load the syscall number; for each trapped one jump to TRACE; else ALLOW.
  // Calls of another ABI than the build's (e.g. 32-bit) are allowed untouched.
  constexpr unsigned n = sizeof(kTrapped) / sizeof(kTrapped[0]);
  sock_filter prog[4 + n + 2];
  unsigned i = 0;
  prog[i++] = BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch));
  prog[i++] = BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, seccomp_audit_arch(), 1, 0);
  prog[i++] = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
  prog[i++] = BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr));
  for (unsigned k = 0; k < n; ++k)  // match: skip to the TRACE return after the ALLOW
    prog[i++] = BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<unsigned>(kTrapped[k].nr),
                         static_cast<unsigned char>(n - k), 0);
  prog[i++] = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
  prog[i++] = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE);
  sock_fprog fprog{static_cast<unsigned short>(i), prog};
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return false;
  return ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) == 0;
}

const char* memory_syscall_name(long nr) {
  for (const auto& t : kTrapped)
    if (t.nr == nr) return t.name;
  return "";
}

}  // namespace allocscope
