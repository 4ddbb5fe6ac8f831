#include "harness/probes/task_state.hpp"

#include <dirent.h>
#include <sys/syscall.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <vector>

#include "harness/probes/proc.hpp"
#include "harness/probes/seccomp_counter.hpp"

namespace allocscope {

namespace {

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

std::vector<pid_t> thread_ids(pid_t pid) {
  std::vector<pid_t> tids;
  DIR* d = ::opendir(("/proc/" + std::to_string(pid) + "/task").c_str());
  if (!d) return tids;
  while (const dirent* e = ::readdir(d))
    if (e->d_name[0] >= '0' && e->d_name[0] <= '9') tids.push_back(static_cast<pid_t>(std::atol(e->d_name)));
  ::closedir(d);
  std::sort(tids.begin(), tids.end());
  return tids;
}

// "S (sleeping)" from task/T/stat: the field after the command's closing ')'.
std::string thread_state(const std::string& stat) {
  size_t close = stat.rfind(')');
  if (close == std::string::npos || close + 2 >= stat.size()) return "?";
  switch (stat[close + 2]) {
    case 'R':
      return "R (running)";
    case 'S':
      return "S (sleeping)";
    case 'D':
      return "D (disk sleep)";
    case 'T':
      return "T (stopped)";
    case 't':
      return "t (tracing stop)";
    case 'Z':
      return "Z (zombie)";
    case 'X':
      return "X (dead)";
    default:
      return std::string(1, stat[close + 2]);
  }
}

// The kernel function it waits in: wchan, else the top frame of its kernel
// stack (readable by root), without the offset.
std::string kernel_wait(const std::string& dir) {
  std::string w = trimmed(read_text_file(dir + "/wchan"));
  if (!w.empty() && w != "0") return w;
  std::string stack = read_text_file(dir + "/stack");
  size_t start = stack.find("] ");
  if (start == std::string::npos) return "";
  std::string frame = stack.substr(start + 2, stack.find('\n', start) - start - 2);
  return frame.substr(0, frame.find('+'));
}

}  // namespace

std::string syscall_name(long n) {
  if (const char* memory = memory_syscall_name(n); *memory) return memory;
  struct Named {
    long number;
    const char* name;
  };
  static const Named names[] = {
      {SYS_futex, "futex"},
      {SYS_read, "read"},
      {SYS_write, "write"},
      {SYS_ppoll, "ppoll"},
      {SYS_wait4, "wait4"},
      {SYS_waitid, "waitid"},
      {SYS_nanosleep, "nanosleep"},
      {SYS_pselect6, "pselect6"},
      {SYS_clock_nanosleep, "clock_nanosleep"},
      {SYS_epoll_pwait, "epoll_pwait"},
      {SYS_rt_sigsuspend, "rt_sigsuspend"},
      {SYS_rt_sigtimedwait, "rt_sigtimedwait"},
      {SYS_sched_yield, "sched_yield"},
#ifdef SYS_poll
      {SYS_poll, "poll"},
#endif
#ifdef SYS_select
      {SYS_select, "select"},
#endif
#ifdef SYS_epoll_wait
      {SYS_epoll_wait, "epoll_wait"},
#endif
#ifdef SYS_pause
      {SYS_pause, "pause"},
#endif
  };
  for (const Named& s : names)
    if (s.number == n) return s.name;
  return "syscall " + std::to_string(n);
}

std::string mapped_file_offset(const std::string& maps, unsigned long addr) {
  std::istringstream in(maps);
  std::string line;
  while (std::getline(in, line)) {
    unsigned long lo = 0, hi = 0, off = 0;
    char perms[8] = {};
    int path_at = 0;
    if (std::sscanf(line.c_str(), "%lx-%lx %7s %lx %*s %*s %n", &lo, &hi, perms, &off, &path_at) < 4) continue;
    if (addr < lo || addr >= hi) continue;
    std::string path = path_at > 0 ? trimmed(line.substr(static_cast<size_t>(path_at))) : "";
    if (path.empty()) path = "anonymous";
    std::string base = path.substr(path.rfind('/') + 1);
    std::ostringstream out;
    out << base << "+0x" << std::hex << (addr - lo + off);
    return out.str();
  }
  return "";
}

std::string describe_threads(pid_t pid, size_t max_threads) {
  const std::string proc = "/proc/" + std::to_string(pid);
  std::vector<pid_t> tids = thread_ids(pid);
  if (tids.empty()) return "";
  const std::string maps = read_text_file(proc + "/maps");
  std::string out;
  size_t shown = 0;
  for (pid_t tid : tids) {
    if (shown == max_threads) {
      out += (out.empty() ? "... " : "\n... ") + std::to_string(tids.size() - shown) + " more threads";
      break;
    }
    const std::string dir = proc + "/task/" + std::to_string(tid);
    std::string line = "pid " + std::to_string(pid) + " tid " + std::to_string(tid) + ": " +
                       thread_state(read_text_file(dir + "/stat"));
    // "running", or "NR arg1..arg6 sp pc" for a thread blocked in a system call.
    std::istringstream sc(read_text_file(dir + "/syscall"));
    std::string first;
    sc >> first;
    // ("-1 sp pc" when blocked outside one, e.g. in a ptrace stop).
    std::vector<std::string> rest;
    for (std::string f; sc >> f;) rest.push_back(f);
    if (!first.empty() && first != "running" && first != "-1")
      line += " in " + syscall_name(std::strtol(first.c_str(), nullptr, 10));
    if (!rest.empty() && first != "running") {
      std::string where = mapped_file_offset(maps, std::strtoul(rest.back().c_str(), nullptr, 16));
      if (!where.empty()) line += " at " + where;
    }
    if (std::string k = kernel_wait(dir); !k.empty()) line += " [" + k + "]";
    out += (out.empty() ? "" : "\n") + line;
    ++shown;
  }
  return out;
}

}  // namespace allocscope
