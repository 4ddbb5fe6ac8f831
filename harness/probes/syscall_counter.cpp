#include "harness/probes/syscall_counter.hpp"

#include <linux/perf_event.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "harness/probes/proc.hpp"

namespace allocscope {

const std::vector<std::string>& memory_syscalls() {
  static const std::vector<std::string> names{"mmap", "munmap", "mremap", "brk", "madvise", "mprotect"};
  return names;
}

namespace {

std::string tracefs_root() {
  for (const char* root : {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"}) {
    struct stat st {};
    std::string probe = std::string(root) + "/events/syscalls";
    if (::stat(probe.c_str(), &st) == 0) return root;
  }
  return {};
}

// Tracepoint id of syscalls:sys_enter_<name>, or -1.
long tracepoint_id(const std::string& root, const std::string& name) {
  std::string text = read_text_file(root + "/events/syscalls/sys_enter_" + name + "/id");
  if (text.empty()) return -1;
  return std::strtol(text.c_str(), nullptr, 10);
}

int open_tracepoint(long id, pid_t pid, bool for_job) {
  perf_event_attr attr{};
  attr.type = PERF_TYPE_TRACEPOINT;
  attr.size = sizeof(attr);
  attr.config = static_cast<uint64_t>(id);
  attr.disabled = 1;
  attr.inherit = for_job ? 1 : 0;
  attr.enable_on_exec = for_job ? 1 : 0;
  attr.exclude_kernel = 0;
  return static_cast<int>(::syscall(SYS_perf_event_open, &attr, pid, -1, -1, PERF_FLAG_FD_CLOEXEC));
}

// The kernel registers a tracepoint's perf probe with its first event and
// unregisters it, waiting for an RCU grace period (17-28 ms each), when the
// last one closes: six of those after every job. One disabled event per
// tracepoint on this process, open for the whole run, keeps them registered,
// so a job's events open and close without that wait. Disabled and not
// inherited, they count nothing.
void keep_tracepoints_registered(const std::string& root) {
  static const bool kept = [&root] {
    for (const auto& name : memory_syscalls())
      if (long id = tracepoint_id(root, name); id >= 0) open_tracepoint(id, 0, false);  // never closed
    return true;
  }();
  (void)kept;
}

}  // namespace

bool SyscallCounter::available(std::string* why) {
  std::string root = tracefs_root();
  if (root.empty() && ::geteuid() == 0) {
    ::mount("nodev", "/sys/kernel/tracing", "tracefs", 0, nullptr);
    root = tracefs_root();
  }
  if (root.empty()) {
    *why = "tracefs is not mounted (mount -t tracefs nodev /sys/kernel/tracing needs root)";
    return false;
  }
  for (const auto& name : memory_syscalls())
    if (tracepoint_id(root, name) < 0) {
      *why = "no tracepoint syscalls:sys_enter_" + name + " under " + root;
      return false;
    }
  return true;
}

SyscallCounter::~SyscallCounter() {
  for (auto& [_, fd] : fds_) ::close(fd);
}

bool SyscallCounter::attach(pid_t pid, std::string* why) {
  std::string root = tracefs_root();
  keep_tracepoints_registered(root);
  for (const auto& name : memory_syscalls()) {
    int fd = open_tracepoint(tracepoint_id(root, name), pid, true);
    if (fd < 0) {
      *why = "perf_event_open(syscalls:sys_enter_" + name + "): " + std::strerror(errno);
      return false;
    }
    fds_.emplace_back(name, fd);
  }
  return true;
}

std::map<std::string, uint64_t> SyscallCounter::read() const {
  std::map<std::string, uint64_t> out;
  for (const auto& [name, fd] : fds_) {
    uint64_t value = 0;
    if (::read(fd, &value, sizeof value) == sizeof value) out[name] = value;
  }
  return out;
}

}  // namespace allocscope
