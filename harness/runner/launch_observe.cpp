#include "harness/runner/launch_observe.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <set>
#include <vector>

#include "harness/probes/proc.hpp"
#include "harness/probes/process_tree.hpp"
#include "harness/probes/seccomp_counter.hpp"
#include "harness/probes/syscall_arch.hpp"
#include "harness/probes/task_state.hpp"

namespace allocscope {

ObserveWorld::Clock::time_point ObserveWorld::now() {
  return Clock::now();
}
uint64_t ObserveWorld::rss_bytes(pid_t pid) {
  return read_statm_rss(pid);
}
bool ObserveWorld::stop_requested() {
  return g_stop_requested.load();
}

ObserveWorld& real_world() {
  static ObserveWorld world;
  return world;
}

namespace {

using Clock = ObserveWorld::Clock;

Clock::duration to_duration(double s) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

// One of the child's output pipes, read without blocking into `into`.
struct Stream {
  int fd = -1;
  std::string* into = nullptr;
  size_t keep = 0;  // 0 = keep everything; else the tail of about this size
  uint64_t* total = nullptr;
  bool open = false;

  // Reads what is available; closes at EOF.
  void drain() {
    char buf[8192];
    while (open) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n > 0) {
        append_tail(*into, buf, static_cast<size_t>(n), keep);
        if (total) *total += static_cast<uint64_t>(n);
      } else {
        open = n < 0 && (errno == EINTR || errno == EAGAIN);
        if (n < 0 && errno == EAGAIN) return;
      }
    }
  }
};

// SIGCHLD through a signalfd wakes the loop at once for every ptrace stop
// and for the exit, instead of on the next tick.
class ChildSignal {
 public:
  ChildSignal() {
    sigemptyset(&chld_);
    sigaddset(&chld_, SIGCHLD);
    ::pthread_sigmask(SIG_BLOCK, &chld_, &old_);
    fd_ = ::signalfd(-1, &chld_, SFD_NONBLOCK | SFD_CLOEXEC);
  }
  ~ChildSignal() {
    if (fd_ >= 0) ::close(fd_);
    ::pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  int fd() const { return fd_; }
  void clear() const {
    signalfd_siginfo info[8];
    if (fd_ >= 0)
      while (::read(fd_, info, sizeof info) > 0) {
      }
  }

 private:
  sigset_t chld_, old_;
  int fd_ = -1;
};

class Observer {
 public:
  Observer(const LaunchSpec& spec, Child& c, ObserveWorld& world, LaunchResult& res)
      : spec_(spec),
        c_(c),
        world_(world),
        res_(res),
        t0_(world.now()),
        deadline_(t0_ + to_duration(spec.timeout_s)),
        sampler_(spec.rss_interval_s, t0_),
        tree_(c.pid,
              ProcReader{[&world](pid_t p) { return world.rss_bytes(p); }, read_proc_status, read_anon_huge_bytes}) {}

  Observation run() {
    started_.insert(c_.pid);  // its first stop was start_child's
    ::ptrace(PTRACE_CONT, c_.pid, nullptr, nullptr);
    if (!spec_.result_pipe) c_.result.close_r();
    streams_[0] = {c_.result.r, &res_.result_text, 0, nullptr, c_.result.r >= 0};
    streams_[1] = {c_.err.r, &res_.stderr_tail, spec_.stderr_keep_bytes, &res_.stderr_bytes, true};
    streams_[2] = {c_.out.r, &res_.stdout_tail, spec_.stdout_keep_bytes, &res_.stdout_bytes, c_.out.r >= 0};
    for (const auto& s : streams_)
      if (s.open) ::fcntl(s.fd, F_SETFL, O_NONBLOCK);
    while (!reaped_) {
      auto now = world_.now();
      // Not before the job's program runs: until its exec the child is a
      // copy of allocscope, whose pages statm would count as the job's.
      if (main_execed_ &&
          sampler_.tick(
              now, [this] { return tree_.sample(); }, res_.rss_series) &&
          c_.live.is_open())
        res_.live_series.emplace_back(res_.rss_series.back().first, c_.live.read());
      enforce_limits(now);
      wait_for_activity();
      drain_pipes();
      handle_waits();
    }
    ::kill(-c_.pid, SIGKILL);                         // whatever the job left behind in its process group
    for (pid_t p : tree_.live()) ::kill(p, SIGKILL);  // and its processes that left the group
    reap_leftovers();
    res_.tree = tree_.memory();
    // Collect the rest of the output (a grandchild may hold the pipes: don't block).
    drain_pipes();
    return obs_;
  }

 private:
  void enforce_limits(Clock::time_point now) {
    if (!obs_.killed_by_us.empty()) return;
    const bool stop = world_.stop_requested();
    if (now < deadline_ && !stop) return;
    obs_.killed_by_us = stop ? "interrupted" : "timeout";
    if (!stop) obs_.stuck_at = where_stuck();
    ::kill(-c_.pid, SIGKILL);
    ::kill(c_.pid, SIGKILL);
  }

  // Where the job's processes wait, read before they are killed (the first
  // few processes; the job's first one first).
  std::string where_stuck() {
    std::vector<pid_t> procs{c_.pid};
    for (pid_t p : tree_.live())
      if (p != c_.pid && procs.size() < 4) procs.push_back(p);
    std::string out;
    for (pid_t p : procs)
      if (std::string d = describe_threads(p); !d.empty()) out += (out.empty() ? "" : "\n") + d;
    return out;
  }

  // Until output, a ptrace stop or the next tick.
  void wait_for_activity() {
    auto wake = deadline_;
    if (sampler_.enabled() && sampler_.next_due() < wake) wake = sampler_.next_due();
    int ms = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(wake - world_.now()).count());
    ms = ms < 1 ? 1 : ms > 50 ? 50 : ms;  // also bounds how late we notice an exit stop
    pollfd pfd[4];
    int n = 0;
    if (signal_.fd() >= 0) pfd[n++] = {signal_.fd(), POLLIN, 0};
    for (const auto& s : streams_)
      if (s.open) pfd[n++] = {s.fd, POLLIN, 0};
    if (n)
      ::poll(pfd, static_cast<nfds_t>(n), ms);
    else
      ::usleep(static_cast<useconds_t>(ms) * 1000);
    signal_.clear();
  }

  void drain_pipes() {
    for (auto& s : streams_) s.drain();
  }

  // Every pending ptrace stop and the final exit.
  void handle_waits() {
    for (;;) {
      struct rusage ru {};
      int st = 0;
      pid_t w = ::wait4(-1, &st, WNOHANG | __WALL, &ru);
      if (w <= 0) return;
      if (WIFSTOPPED(st)) {
        restart_after_stop(w, st);
        continue;
      }
      tree_.gone(w);
      if (w != c_.pid) continue;  // another traced thread or process ended
      obs_.usage = ru;
      obs_.wait_status = st;
      obs_.wall_s = std::chrono::duration<double>(world_.now() - t0_).count();
      reaped_ = true;
      return;
    }
  }

  void restart_after_stop(pid_t w, int st) {
    StopAction a = decide_stop(st, w, c_.pid, started_.count(w) > 0);
    if (a.kind == StopKind::MainExit || (a.kind == StopKind::TaskExit && tree_.contains(w))) {
      if (main_execed_) tree_.sample();  // the tree with this process still in it
      ProcStatus st_exit = tree_.exiting(w);
      if (a.kind == StopKind::MainExit) res_.at_exit = st_exit;
    } else if (a.kind == StopKind::NewProcess) {
      unsigned long child = 0;
      if (::ptrace(PTRACE_GETEVENTMSG, w, nullptr, &child) == 0) tree_.add(static_cast<pid_t>(child));
    } else if (a.kind == StopKind::Exec) {
      if (w == c_.pid) main_execed_ = true;
    } else if (a.kind == StopKind::SyscallTrap) {
      if (const char* name = memory_syscall_name(stopped_syscall_number(w)); *name) ++res_.syscalls[name];
    } else if (a.kind == StopKind::NewTask) {
      started_.insert(w);  // a new thread or child starts stopped: swallow that stop
    }
    ::ptrace(PTRACE_CONT, w, nullptr, reinterpret_cast<void*>(static_cast<long>(a.pass_signal)));
  }

  // Traced processes of the job still around after its first process ended
  // (killed with its process group): reap them, so none stays a zombie.
  void reap_leftovers() {
    int st = 0;
    for (int i = 0; i < 500; ++i) {
      pid_t w = ::wait4(-1, &st, WNOHANG | __WALL, nullptr);
      if (w < 0 && errno != EINTR) return;  // ECHILD: none left (the usual case)
      if (w == 0) ::usleep(1000);           // still dying from the SIGKILL
    }
  }

  const LaunchSpec& spec_;
  Child& c_;
  ObserveWorld& world_;
  LaunchResult& res_;
  const Clock::time_point t0_, deadline_;
  RssSampler sampler_;
  ProcessTree tree_;
  ChildSignal signal_;
  std::set<pid_t> started_;
  Stream streams_[3];  // fd 3, stderr, stdout
  bool reaped_ = false;
  bool main_execed_ = false;  // the job's first process has exec'd its program
  Observation obs_;
};

}  // namespace

void append_tail(std::string& tail, const char* data, size_t n, size_t keep) {
  tail.append(data, n);
  if (keep && tail.size() > 2 * keep) tail.erase(0, tail.size() - keep);  // amortized: trim by halves
}

void trim_tail(std::string& tail, size_t keep) {
  if (keep && tail.size() > keep) tail.erase(0, tail.size() - keep);
}

RssSampler::RssSampler(double interval_s, Clock::time_point t0)
    : enabled_(interval_s > 0), t0_(t0), next_(t0), interval_(to_duration(interval_s)) {}

bool RssSampler::due(Clock::time_point now) {
  if (!enabled_ || now < next_) return false;
  next_ += interval_;
  if (next_ < now) next_ = now + interval_;
  return true;
}

StopAction decide_stop(int st, pid_t tid, pid_t main, bool seen_start) {
  StopAction a;
  const int event = st >> 16, sig = WSTOPSIG(st);
  if (event == PTRACE_EVENT_EXIT)
    a.kind = tid == main ? StopKind::MainExit : StopKind::TaskExit;
  else if (event == PTRACE_EVENT_FORK || event == PTRACE_EVENT_VFORK)
    a.kind = StopKind::NewProcess;
  else if (event == PTRACE_EVENT_EXEC)
    a.kind = StopKind::Exec;
  else if (event == PTRACE_EVENT_SECCOMP)
    a.kind = StopKind::SyscallTrap;
  else if (event == 0 && sig == SIGSTOP && !seen_start)
    a.kind = StopKind::NewTask;
  else if (event == 0 && sig != SIGTRAP)
    a.kind = StopKind::Signal, a.pass_signal = sig;  // pass real signals on
  return a;
}

Observation observe(const LaunchSpec& spec, Child& child, ObserveWorld& world, LaunchResult& res) {
  return Observer(spec, child, world, res).run();
}

}  // namespace allocscope
