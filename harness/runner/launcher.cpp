#include "launcher.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <set>

#include "probes/memcg.hpp"
#include "probes/seccomp_counter.hpp"
#include "probes/syscall_counter.hpp"

extern char** environ;

namespace allocscope {

std::atomic<bool> g_stop_requested{false};

namespace {

constexpr size_t kStderrTailBytes = 4096;

using Clock = std::chrono::steady_clock;

// The environment of the child: ours, with spec.env_set applied.
std::vector<std::string> child_environment(const std::vector<std::string>& set) {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string kv(*e);
    bool replaced = false;
    for (const auto& s : set) {
      auto eq = s.find('=');
      if (kv.compare(0, eq + 1, s, 0, eq + 1) == 0) replaced = true;
    }
    if (!replaced) env.push_back(std::move(kv));
  }
  env.insert(env.end(), set.begin(), set.end());
  return env;
}

std::vector<char*> c_strings(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Child side, between fork and exec: async-signal-safe calls only.
[[noreturn]] void exec_child(const LaunchSpec& spec, char** argv, char** envp, int result_w, int stderr_w, int err_w,
                             bool seccomp_trap) {
  ::setpgid(0, 0);
  int devnull = ::open("/dev/null", O_RDWR);
  ::dup2(devnull, STDIN_FILENO);
  ::dup2(devnull, STDOUT_FILENO);
  ::dup2(stderr_w, STDERR_FILENO);
  if (spec.result_pipe) ::dup2(result_w, 3);
  ::ptrace(PTRACE_TRACEME, 0, nullptr, nullptr);
  if (seccomp_trap && !install_memory_syscall_trap()) ::_exit(126);
  // A raw kill, not raise(): a sanitizer's raise() interceptor may make system
  // calls the seccomp trap above would stop.
  ::syscall(SYS_kill, ::syscall(SYS_getpid), SIGSTOP);  // the parent attaches counters, then lets us exec
  ::execvpe(argv[0], argv, envp);
  int e = errno;
  ssize_t ignored = ::write(err_w, &e, sizeof e);
  (void)ignored;
  ::_exit(127);
}

void append_tail(std::string& tail, const char* data, size_t n) {
  tail.append(data, n);
  if (tail.size() > 2 * kStderrTailBytes) tail.erase(0, tail.size() - kStderrTailBytes);
}

// Reads what is available; returns false at EOF.
bool drain(int fd, std::string& into, bool tail_only) {
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      if (tail_only)
        append_tail(into, buf, static_cast<size_t>(n));
      else
        into.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n == 0) return false;
    return errno == EINTR || errno == EAGAIN;
  }
}

struct Pipe {
  int r = -1, w = -1;
  bool open(int flags) {
    int fds[2];
    if (::pipe2(fds, flags) != 0) return false;
    r = fds[0];
    w = fds[1];
    return true;
  }
  void close_r() {
    if (r >= 0) ::close(r);
    r = -1;
  }
  void close_w() {
    if (w >= 0) ::close(w);
    w = -1;
  }
  ~Pipe() {
    close_r();
    close_w();
  }
};

}  // namespace

LaunchResult launch(const LaunchSpec& spec) {
  LaunchResult res;
  std::string why;
  const bool perf_ok = spec.count_syscalls && !spec.force_ptrace_counting && SyscallCounter::available(&why);
  // Without perf, count by trapping the memory syscalls with seccomp + ptrace.
  const bool trap = spec.count_syscalls && !perf_ok;
  res.syscall_method = !spec.count_syscalls ? "off" : perf_ok ? "perf_event_open" : "ptrace+seccomp";

  std::vector<std::string> argv_s = spec.argv, env_s = child_environment(spec.env_set);
  std::vector<char*> argv = c_strings(argv_s), envp = c_strings(env_s);
  Pipe result, err, execerr;
  if (!result.open(O_CLOEXEC) || !err.open(O_CLOEXEC) || !execerr.open(O_CLOEXEC)) {
    res.reason = std::string("pipe: ") + std::strerror(errno);
    return res;
  }
  // The memory limit: a per-job memory cgroup when possible, else RLIMIT_AS.
  MemCgroup cgroup;
  bool use_rlimit = false;
  if (spec.mem_limit_bytes) {
    std::string cg_why;
    if (spec.mem_limit_method != "rlimit" && cgroup.create(spec.mem_limit_bytes, &cg_why)) {
      res.mem_limit_method = "cgroup-v1";
    } else if (spec.mem_limit_method == "cgroup") {
      res.reason = "no memory cgroup: " + cg_why;
      return res;
    } else {
      use_rlimit = true;
      res.mem_limit_method = "rlimit-as";
      if (spec.mem_limit_method != "rlimit") res.mem_limit_note = cg_why;
    }
  }
  // fd 3 must not be one of the pipe ends the child dup2s from; move result.w up if so.
  if (result.w == 3) {
    int moved = ::fcntl(3, F_DUPFD_CLOEXEC, 10);
    ::close(3);
    result.w = moved;
  }

  pid_t pid = ::fork();
  if (pid < 0) {
    res.reason = std::string("fork: ") + std::strerror(errno);
    return res;
  }
  if (pid == 0) exec_child(spec, argv.data(), envp.data(), result.w, err.w, execerr.w, trap);

  ::setpgid(pid, pid);
  result.close_w();
  err.close_w();
  execerr.close_w();
  int st = 0;
  pid_t w0;
  while ((w0 = ::waitpid(pid, &st, __WALL)) < 0 && errno == EINTR) {
  }
  if (w0 != pid || !WIFSTOPPED(st)) {
    res.reason = "child did not reach its pre-exec stop";
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &st, __WALL);
    return res;
  }
  // RLIMIT_AS is set from here while the child waits before exec: no code of
  // ours (possibly sanitized, with huge reservations) runs under the limit.
  if (use_rlimit) {
    struct rlimit rl {
      spec.mem_limit_bytes, spec.mem_limit_bytes
    };
    if (::prlimit(pid, RLIMIT_AS, &rl, nullptr) != 0)
      res.mem_limit_note = std::string("prlimit: ") + std::strerror(errno);
  }
  if (res.mem_limit_method == "cgroup-v1") {
    std::string cg_why;
    if (!cgroup.attach(pid, &cg_why)) {
      // Still stopped before exec: limit its address space instead.
      struct rlimit rl {
        spec.mem_limit_bytes, spec.mem_limit_bytes
      };
      ::prlimit(pid, RLIMIT_AS, &rl, nullptr);
      res.mem_limit_method = "rlimit-as";
      res.mem_limit_note = "cgroup attach failed: " + cg_why;
      cgroup.remove();
    }
  }
  long options = PTRACE_O_TRACEEXIT | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL;
  // The fallback follows every thread and child process, like perf's inherit.
  if (trap) options |= PTRACE_O_TRACESECCOMP | PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK;
  ::ptrace(PTRACE_SETOPTIONS, pid, nullptr, reinterpret_cast<void*>(options));
  std::set<pid_t> started{pid};  // tasks whose initial SIGSTOP was already seen
  std::unique_ptr<SyscallCounter> counter;
  if (perf_ok) {
    counter = std::make_unique<SyscallCounter>();
    if (!counter->attach(pid, &why)) {
      counter.reset();
      res.syscall_method = "none: " + why;
    }
  }

  const auto t0 = Clock::now();
  const auto deadline = t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(spec.timeout_s));
  const auto interval = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(spec.rss_interval_s));
  auto next_sample = t0;
  ::ptrace(PTRACE_CONT, pid, nullptr, nullptr);

  for (int fd : {result.r, err.r}) ::fcntl(fd, F_SETFL, O_NONBLOCK);
  // SIGCHLD through a signalfd wakes the loop at once for every ptrace stop
  // and for the exit, instead of on the next tick.
  sigset_t chld, old_mask;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  ::pthread_sigmask(SIG_BLOCK, &chld, &old_mask);
  const int sfd = ::signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
  bool result_open = spec.result_pipe, err_open = true, reaped = false, killed_by_us = false;
  if (!spec.result_pipe) result.close_r();
  int exec_errno = 0;
  while (!reaped) {
    auto now = Clock::now();
    if (spec.rss_interval_s > 0 && now >= next_sample) {
      if (uint64_t rss = read_statm_rss(pid))
        res.rss_series.emplace_back(std::chrono::duration<double>(now - t0).count(), rss);
      next_sample += interval;
      if (next_sample < now) next_sample = now + interval;
    }
    if (!killed_by_us && (now >= deadline || g_stop_requested.load())) {
      res.status = g_stop_requested.load() ? "interrupted" : "timeout";
      res.reason = res.status == "timeout" ? "wall-clock limit of " + std::to_string(spec.timeout_s) + " s reached"
                                           : "stopped by a signal to allocscope";
      ::kill(-pid, SIGKILL);
      ::kill(pid, SIGKILL);
      killed_by_us = true;
    }
    // Wait for output or the next tick.
    auto wake = deadline;
    if (spec.rss_interval_s > 0 && next_sample < wake) wake = next_sample;
    int ms = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(wake - Clock::now()).count());
    ms = ms < 1 ? 1 : ms > 50 ? 50 : ms;  // also bounds how late we notice an exit stop
    pollfd pfd[3];
    int n = 0;
    if (sfd >= 0) pfd[n++] = {sfd, POLLIN, 0};
    if (result_open) pfd[n++] = {result.r, POLLIN, 0};
    if (err_open) pfd[n++] = {err.r, POLLIN, 0};
    if (n)
      ::poll(pfd, static_cast<nfds_t>(n), ms);
    else
      ::usleep(static_cast<useconds_t>(ms) * 1000);
    if (sfd >= 0) {
      signalfd_siginfo info[8];
      while (::read(sfd, info, sizeof info) > 0) {
      }
    }
    if (result_open) result_open = drain(result.r, res.result_text, false);
    if (err_open) err_open = drain(err.r, res.stderr_tail, true);

    // Handle every pending ptrace stop and the final exit.
    for (;;) {
      struct rusage ru {};
      pid_t w = ::wait4(trap ? -1 : pid, &st, WNOHANG | __WALL, &ru);
      if (w <= 0) break;
      if (WIFSTOPPED(st)) {
        int event = st >> 16;
        int sig = 0;
        if (event == PTRACE_EVENT_EXIT && w == pid) {
          res.at_exit = read_proc_status(pid);
        } else if (event == PTRACE_EVENT_SECCOMP) {
          user_regs_struct regs{};
          if (::ptrace(PTRACE_GETREGS, w, nullptr, &regs) == 0)
            if (const char* name = memory_syscall_name(static_cast<long>(regs.orig_rax)); *name) ++res.syscalls[name];
        } else if (event == 0 && WSTOPSIG(st) == SIGSTOP && !started.count(w)) {
          started.insert(w);  // a new thread or child starts stopped: swallow that stop
        } else if (event == 0 && WSTOPSIG(st) != SIGTRAP) {
          sig = WSTOPSIG(st);  // pass real signals on
        }
        ::ptrace(PTRACE_CONT, w, nullptr, reinterpret_cast<void*>(static_cast<long>(sig)));
        continue;
      }
      if (w != pid) continue;  // another traced thread or process ended
      res.usage = ru;
      reaped = true;
      res.wall_s = std::chrono::duration<double>(Clock::now() - t0).count();
      if (WIFEXITED(st)) res.exit_code = WEXITSTATUS(st);
      if (WIFSIGNALED(st)) res.signal = WTERMSIG(st);
      break;
    }
  }
  if (sfd >= 0) ::close(sfd);
  ::pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  ::kill(-pid, SIGKILL);  // whatever the job left behind in its process group
  // Collect the rest of the output (a grandchild may hold the pipes: don't block).
  if (result_open) drain(result.r, res.result_text, false);
  if (err_open) drain(err.r, res.stderr_tail, true);
  if (::read(execerr.r, &exec_errno, sizeof exec_errno) == sizeof exec_errno) {
    res.status = "failed";
    res.reason = "cannot execute " + spec.argv[0] + ": " + std::strerror(exec_errno);
  } else if (!killed_by_us) {
    const bool cg = res.mem_limit_method == "cgroup-v1";
    if (cg) {
      res.cgroup_peak_bytes = cgroup.peak_bytes();
      res.cgroup_failcnt = cgroup.failcnt();
      res.cgroup_oom_kills = cgroup.oom_kills();
    }
    if (res.exit_code == 0)
      res.status = "ok";
    else if (cg && res.cgroup_oom_kills > 0) {
      res.status = "oom";
      res.reason = "killed by the OOM killer at the memory cgroup limit of " + std::to_string(spec.mem_limit_bytes) +
                   " bytes (peak " + std::to_string(res.cgroup_peak_bytes) + ")";
    } else if (res.exit_code == kOomExitCode || (!cg && res.signal == SIGKILL)) {
      res.status = "oom";
      res.reason = res.exit_code == kOomExitCode ? "allocation failed under the memory limit"
                                                 : "killed by SIGKILL (out of memory)";
    } else if (res.signal == SIGABRT && spec.mem_limit_bytes &&
               res.stderr_tail.find("instance of 'std::bad_alloc'") != std::string::npos) {
      // A C++ program that let std::bad_alloc escape under the memory limit.
      res.status = "oom";
      res.reason = "std::bad_alloc under the memory limit (terminate)";
    } else if (res.signal) {
      res.status = "crashed";
      res.reason = std::string("killed by signal ") + std::to_string(res.signal) + " (" + strsignal(res.signal) + ")";
    } else {
      res.status = "failed";
      res.reason = "exit status " + std::to_string(res.exit_code);
    }
  }
  if (killed_by_us && res.mem_limit_method == "cgroup-v1") {
    res.cgroup_peak_bytes = cgroup.peak_bytes();
    res.cgroup_failcnt = cgroup.failcnt();
    res.cgroup_oom_kills = cgroup.oom_kills();
  }
  cgroup.remove();
  if (counter) res.syscalls = counter->read();
  if (trap)
    for (const auto& name : memory_syscalls()) res.syscalls.emplace(name, 0);  // zero counts are counts too
  if (res.stderr_tail.size() > kStderrTailBytes) res.stderr_tail.erase(0, res.stderr_tail.size() - kStderrTailBytes);
  return res;
}

}  // namespace allocscope
