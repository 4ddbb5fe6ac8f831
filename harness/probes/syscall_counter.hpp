// Counting a child's memory syscalls (mmap, munmap, mremap, brk, madvise,
// mprotect) in the kernel with perf_event_open tracepoints: counting only,
// inherited by every thread, enabled at exec. The tracepoints stay registered
// for the whole life of this process (see keep_tracepoints_registered), so a
// job's counters close at once.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

namespace allocscope {

const std::vector<std::string>& memory_syscalls();

class SyscallCounter {
 public:
  // Makes sure tracefs is mounted (mounts it when root) and finds the
  // tracepoint ids. Returns false, with the reason, if perf cannot be used.
  static bool available(std::string* why);

  SyscallCounter() = default;
  SyscallCounter(const SyscallCounter&) = delete;
  SyscallCounter& operator=(const SyscallCounter&) = delete;
  ~SyscallCounter();

  // Attaches to a child that has not exec'd yet; counting starts at exec.
  bool attach(pid_t pid, std::string* why);
  // Totals over the process and all its threads (read after the child is reaped).
  std::map<std::string, uint64_t> read() const;

 private:
  std::vector<std::pair<std::string, int>> fds_;
};

}  // namespace allocscope
