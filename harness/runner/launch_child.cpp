#include "harness/runner/launch_child.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "harness/probes/seccomp_counter.hpp"
#include "harness/probes/task_state.hpp"

extern char** environ;

namespace allocscope {

bool Pipe::open(int flags) {
  int fds[2];
  if (::pipe2(fds, flags) != 0) return false;
  r = fds[0];
  w = fds[1];
  return true;
}
void Pipe::close_r() {
  if (r >= 0) ::close(r);
  r = -1;
}
void Pipe::close_w() {
  if (w >= 0) ::close(w);
  w = -1;
}
Pipe::~Pipe() {
  close_r();
  close_w();
}

std::vector<std::string> child_environment(char** base, const std::vector<std::string>& set) {
  std::vector<std::string> env;
  for (char** e = base; e && *e; ++e) {
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

namespace {

std::vector<char*> c_strings(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Child side, between fork and exec: async-signal-safe calls only.
[[noreturn]] void exec_child(const LaunchSpec& spec, char** argv, char** envp, const Child& c) {
  ::setpgid(0, 0);
  int devnull = ::open("/dev/null", O_RDWR);
  ::dup2(devnull, STDIN_FILENO);
  ::dup2(c.out.w >= 0 ? c.out.w : devnull, STDOUT_FILENO);
  ::dup2(c.err.w, STDERR_FILENO);
  if (spec.result_pipe) ::dup2(c.result.w, 3);
  if (c.live.fd() >= 0) ::dup2(c.live.fd(), kLiveCounterFd);    // dup2 clears close-on-exec
  if (spec.thp_never) ::prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);  // inherited by exec and fork
  ::ptrace(PTRACE_TRACEME, 0, nullptr, nullptr);
  if (c.trap && !install_memory_syscall_trap()) ::_exit(126);
  // A raw kill, not raise(): a sanitizer's raise() interceptor may make system
  // calls the seccomp trap above would stop.
  ::syscall(SYS_kill, ::syscall(SYS_getpid), SIGSTOP);  // the parent attaches counters, then lets us exec
  ::execvpe(argv[0], argv, envp);
  int e = errno;
  ssize_t ignored = ::write(c.execerr.w, &e, sizeof e);
  (void)ignored;
  ::_exit(127);
}

// The memory limit: a per-job memory cgroup when possible, else RLIMIT_AS.
bool choose_mem_limit(const LaunchSpec& spec, Child& c, LaunchResult& res) {
  if (!spec.mem_limit_bytes) return true;
  std::string why;
  if (spec.mem_limit_method != "rlimit" && c.cgroup.create(spec.mem_limit_bytes, &why)) {
    res.mem_limit_method = "cgroup-v1";
  } else if (spec.mem_limit_method == "cgroup") {
    res.reason = "no memory cgroup: " + why;
    return false;
  } else {
    c.use_rlimit = true;
    res.mem_limit_method = "rlimit-as";
    if (spec.mem_limit_method != "rlimit") res.mem_limit_note = why;
  }
  return true;
}

void set_rlimit_as(pid_t pid, uint64_t bytes, LaunchResult& res) {
  struct rlimit rl {
    bytes, bytes
  };
  if (::prlimit(pid, RLIMIT_AS, &rl, nullptr) != 0)
    res.mem_limit_note = std::string("prlimit: ") + std::strerror(errno);
}

// RLIMIT_AS is set from here while the child waits before exec: no code of
// ours (possibly sanitized, with huge reservations) runs under the limit.
void apply_mem_limit(const LaunchSpec& spec, Child& c, LaunchResult& res) {
  if (c.use_rlimit) set_rlimit_as(c.pid, spec.mem_limit_bytes, res);
  if (res.mem_limit_method != "cgroup-v1") return;
  std::string why;
  if (c.cgroup.attach(c.pid, &why)) return;
  // Still stopped before exec: limit its address space instead.
  set_rlimit_as(c.pid, spec.mem_limit_bytes, res);
  res.mem_limit_method = "rlimit-as";
  res.mem_limit_note = "cgroup attach failed: " + why;
  c.cgroup.remove();
}

void attach_counters(const LaunchSpec& spec, Child& c, LaunchResult& res) {
  // Every child process is followed (the tree's memory); the syscall trap
  // also follows every thread, like perf's inherit.
  long options = PTRACE_O_TRACEEXIT | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK;
  if (c.trap) options |= PTRACE_O_TRACESECCOMP | PTRACE_O_TRACECLONE;
  ::ptrace(PTRACE_SETOPTIONS, c.pid, nullptr, reinterpret_cast<void*>(options));
  if (spec.perf_counters) c.perf.attach(c.pid);
  if (!spec.count_syscalls || c.trap) return;
  std::string why;
  c.counter = std::make_unique<SyscallCounter>();
  if (!c.counter->attach(c.pid, &why)) {
    c.counter.reset();
    res.syscall_method = "none: " + why;
  }
}

// The fork's child stops itself before exec, at once; a limit still bounds
// the wait (0 = it did not stop in time).
pid_t wait_for_pre_exec_stop(pid_t pid, double limit_s, int& st) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(limit_s);
  useconds_t nap = 100;
  for (;;) {
    pid_t w = ::waitpid(pid, &st, WNOHANG | __WALL);
    if (w != 0 && !(w < 0 && errno == EINTR)) return w;
    if (std::chrono::steady_clock::now() >= deadline) return 0;
    ::usleep(nap);
    nap = nap < 10000 ? nap * 2 : nap;
  }
}

}  // namespace

bool prepare_child(const LaunchSpec& spec, Child& c, LaunchResult& res) {
  std::string why;
  const bool perf_ok = spec.count_syscalls && !spec.force_ptrace_counting && SyscallCounter::available(&why);
  // Without perf, count by trapping the memory syscalls with seccomp + ptrace.
  c.trap = spec.count_syscalls && !perf_ok;
  res.syscall_method = !spec.count_syscalls ? "off" : perf_ok ? "perf_event_open" : "ptrace+seccomp";
  if (!c.result.open(O_CLOEXEC) || !c.err.open(O_CLOEXEC) || !c.execerr.open(O_CLOEXEC) ||
      (spec.stdout_keep_bytes && !c.out.open(O_CLOEXEC))) {
    res.reason = std::string("pipe: ") + std::strerror(errno);
    return false;
  }
  if (!choose_mem_limit(spec, c, res)) return false;
  // fd 3 must not be one of the pipe ends the child dup2s from; move result.w up if so.
  if (c.result.w == 3) {
    int moved = ::fcntl(3, F_DUPFD_CLOEXEC, 10);
    ::close(3);
    c.result.w = moved;
  }
  // Without the counter the job runs as before; the live series is then empty.
  if (spec.live_counter && c.live.open()) c.live.move_fd_above(10);
  return true;
}

bool start_child(const LaunchSpec& spec, Child& c, LaunchResult& res) {
  std::vector<std::string> argv_s = spec.argv, env_s = child_environment(environ, spec.env_set);
  std::vector<char*> argv = c_strings(argv_s), envp = c_strings(env_s);
  c.pid = ::fork();
  if (c.pid < 0) {
    res.reason = std::string("fork: ") + std::strerror(errno);
    return false;
  }
  if (c.pid == 0) exec_child(spec, argv.data(), envp.data(), c);
  ::setpgid(c.pid, c.pid);
  c.result.close_w();
  c.err.close_w();
  c.out.close_w();
  c.execerr.close_w();
  int st = 0;
  const pid_t w0 = wait_for_pre_exec_stop(c.pid, spec.timeout_s, st);
  if (w0 != c.pid || !WIFSTOPPED(st)) {
    res.reason = "child did not reach its pre-exec stop";
    if (w0 == 0) {
      res.status = "timeout";
      res.reason += fmt::format(" within {:g} s; its threads then:\n{}", spec.timeout_s, describe_threads(c.pid));
    }
    ::kill(c.pid, SIGKILL);
    ::waitpid(c.pid, &st, __WALL);
    return false;
  }
  apply_mem_limit(spec, c, res);
  attach_counters(spec, c, res);
  return true;
}

}  // namespace allocscope
