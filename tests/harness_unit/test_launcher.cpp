// The launcher's steps one by one: the classification from synthetic wait
// statuses, the ptrace-stop decisions, the RSS sampler and the whole watch
// on a fake clock, the child's environment.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/ptrace.h>

#include <cstring>

#include "allocscope/exit_codes.hpp"
#include "harness/probes/syscall_arch.hpp"
#include "harness/runner/launch_child.hpp"
#include "harness/runner/launch_classify.hpp"
#include "harness/runner/launch_observe.hpp"
#include "harness/runner/launcher.hpp"

namespace allocscope {
namespace {

int exited(int code) {
  return code << 8;
}
int signaled(int sig) {
  return sig;
}
int stopped(int sig, int event = 0) {
  return (event << 16) | (sig << 8) | 0x7f;
}

TEST(LaunchClassify, ExitStatuses) {
  EndFacts f;
  f.wait_status = exited(0);
  EXPECT_EQ(classify_end(f).status, "ok");
  f.wait_status = exited(3);
  EndClass c = classify_end(f);
  EXPECT_EQ(c.status, "failed");
  EXPECT_EQ(c.exit_code, 3);
  EXPECT_EQ(c.reason, "exit status 3");
  f.wait_status = exited(kOomExitCode);
  EXPECT_EQ(classify_end(f).status, "oom");
}

TEST(LaunchClassify, Signals) {
  EndFacts f;
  f.wait_status = signaled(SIGSEGV);
  EndClass c = classify_end(f);
  EXPECT_EQ(c.status, "crashed");
  EXPECT_EQ(c.signal, SIGSEGV);
  EXPECT_NE(c.reason.find("signal 11"), std::string::npos);
  // SIGKILL from outside is the kernel's OOM killer unless a cgroup says otherwise.
  f.wait_status = signaled(SIGKILL);
  EXPECT_EQ(classify_end(f).status, "oom");
  f.in_cgroup = true;
  EXPECT_EQ(classify_end(f).status, "crashed");
  f.cgroup_oom_kills = 1;
  f.mem_limit_bytes = 1 << 20;
  c = classify_end(f);
  EXPECT_EQ(c.status, "oom");
  EXPECT_NE(c.reason.find("1048576"), std::string::npos);
}

TEST(LaunchClassify, BadAllocUnderTheLimitIsOom) {
  EndFacts f;
  f.wait_status = signaled(SIGABRT);
  f.stderr_tail = "terminate called after throwing an instance of 'std::bad_alloc'";
  EXPECT_EQ(classify_end(f).status, "crashed");  // no limit: a crash
  f.mem_limit_bytes = 1 << 30;
  EXPECT_EQ(classify_end(f).status, "oom");
}

TEST(LaunchClassify, OursAndExecFailuresComeFirst) {
  EndFacts f;
  f.wait_status = signaled(SIGKILL);
  f.killed_by_us = "timeout";
  f.timeout_s = 2;
  EndClass c = classify_end(f);
  EXPECT_EQ(c.status, "timeout");
  EXPECT_NE(c.reason.find("wall-clock limit"), std::string::npos);
  f.killed_by_us = "interrupted";
  EXPECT_EQ(classify_end(f).status, "interrupted");
  f.exec_errno = ENOENT;
  f.program = "no-such-program";
  c = classify_end(f);
  EXPECT_EQ(c.status, "failed");
  EXPECT_EQ(c.reason, std::string("cannot execute no-such-program: ") + std::strerror(ENOENT));
}

TEST(LaunchStops, Decisions) {
  const pid_t main = 100, other = 101;
  EXPECT_EQ(decide_stop(stopped(SIGTRAP, PTRACE_EVENT_EXIT), main, main, true).kind, StopKind::MainExit);
  StopAction a = decide_stop(stopped(SIGTRAP, PTRACE_EVENT_EXIT), other, main, true);
  EXPECT_EQ(a.kind, StopKind::TaskExit);
  EXPECT_EQ(decide_stop(stopped(SIGTRAP, PTRACE_EVENT_FORK), main, main, true).kind, StopKind::NewProcess);
  EXPECT_EQ(decide_stop(stopped(SIGTRAP, PTRACE_EVENT_VFORK), main, main, true).kind, StopKind::NewProcess);
  a = decide_stop(stopped(SIGTRAP, PTRACE_EVENT_CLONE), main, main, true);
  EXPECT_EQ(a.kind, StopKind::Other);
  EXPECT_EQ(a.pass_signal, 0);
  EXPECT_EQ(decide_stop(stopped(SIGTRAP, PTRACE_EVENT_SECCOMP), other, main, true).kind, StopKind::SyscallTrap);
  EXPECT_EQ(decide_stop(stopped(SIGSTOP), other, main, false).kind, StopKind::NewTask);
  a = decide_stop(stopped(SIGSTOP), other, main, true);  // a real SIGSTOP later on
  EXPECT_EQ(a.kind, StopKind::Signal);
  EXPECT_EQ(a.pass_signal, SIGSTOP);
  a = decide_stop(stopped(SIGUSR1), main, main, true);
  EXPECT_EQ(a.pass_signal, SIGUSR1);
  a = decide_stop(stopped(SIGTRAP, PTRACE_EVENT_EXEC), main, main, true);  // RSS is the job's from here on
  EXPECT_EQ(a.kind, StopKind::Exec);
  EXPECT_EQ(a.pass_signal, 0);
  a = decide_stop(stopped(SIGTRAP), main, main, true);  // a plain trap: not a signal to deliver
  EXPECT_EQ(a.kind, StopKind::Other);
  EXPECT_EQ(a.pass_signal, 0);
}

// A clock that moves `step` at each reading, RSS that counts its samples.
// RSS is sampled only once the job's program has exec'd, however long that
// takes in real time; so that the job's deadline cannot pass before, the
// clock stands still until the first sample (for at most 100000 readings).
class FakeWorld : public ObserveWorld {
 public:
  explicit FakeWorld(Clock::duration step) : step_(step) {}
  Clock::time_point now() override {
    if (samples > 0 || ++still_ > 100000) t_ += step_;
    return t_;
  }
  uint64_t rss_bytes(pid_t) override { return ++samples * 4096; }
  bool stop_requested() override { return stop; }
  int samples = 0;
  bool stop = false;

 private:
  Clock::time_point t_{};
  Clock::duration step_;
  int still_ = 0;
};

TEST(LaunchRssSampler, SamplesOnItsClockWithoutCatchUpBursts) {
  using namespace std::chrono_literals;
  FakeWorld world(0ms);
  const ObserveWorld::Clock::time_point t0{};
  RssSampler s(0.010, t0);
  std::vector<std::pair<double, uint64_t>> series;
  auto read = [&world] { return world.rss_bytes(1); };
  s.tick(t0, read, series);
  s.tick(t0 + 5ms, read, series);  // not due
  s.tick(t0 + 10ms, read, series);
  s.tick(t0 + 100ms, read, series);  // late: one sample, then 10 ms on
  s.tick(t0 + 105ms, read, series);
  s.tick(t0 + 110ms, read, series);
  ASSERT_EQ(series.size(), 4u);
  EXPECT_DOUBLE_EQ(series[0].first, 0.0);
  EXPECT_NEAR(series[1].first, 0.010, 1e-9);
  EXPECT_NEAR(series[2].first, 0.100, 1e-9);
  EXPECT_NEAR(series[3].first, 0.110, 1e-9);
  EXPECT_EQ(series[3].second, 4u * 4096);
  RssSampler off(0, t0);
  off.tick(t0 + 1s, read, series);
  EXPECT_EQ(series.size(), 4u);
}

LaunchSpec sleeper() {
  LaunchSpec spec;
  spec.argv = {"sleep", "30"};
  spec.result_pipe = false;
  spec.count_syscalls = false;
  spec.timeout_s = 1;
  spec.rss_interval_s = 0.2;
  return spec;
}

TEST(LaunchObserve, TimeoutOnTheWorldsClock) {
  using namespace std::chrono_literals;
  FakeWorld world(100ms);  // 1 s passes in about ten loop turns, whatever the real time
  LaunchResult r = launch(sleeper(), world);
  EXPECT_EQ(r.status, "timeout");
  EXPECT_EQ(r.signal, SIGKILL);
  ASSERT_FALSE(r.rss_series.empty());
  EXPECT_EQ(r.rss_series.front().second, 4096u);  // from the fake sampler
  for (const auto& [t, rss] : r.rss_series) EXPECT_LE(t, 2.0);
}

TEST(LaunchObserve, StopRequestInterrupts) {
  using namespace std::chrono_literals;
  FakeWorld world(1ms);
  world.stop = true;
  LaunchResult r = launch(sleeper(), world);
  EXPECT_EQ(r.status, "interrupted");
}

TEST(LaunchEndToEnd, ExitCodeAndMissingProgram) {
  LaunchSpec spec = sleeper();
  spec.argv = {"sh", "-c", "echo oops >&2; exit 3"};
  LaunchResult r = launch(spec);
  EXPECT_EQ(r.status, "failed");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.stderr_tail, "oops\n");
  spec.argv = {"/nonexistent/program"};
  r = launch(spec);
  EXPECT_EQ(r.status, "failed");
  EXPECT_NE(r.reason.find("cannot execute /nonexistent/program"), std::string::npos);
}

TEST(LaunchChild, EnvironmentReplacesAndAdds) {
  std::string a = "A=1", b = "LD_PRELOAD=old", c = "AB=2";
  char* base[] = {a.data(), b.data(), c.data(), nullptr};
  auto env = child_environment(base, {"LD_PRELOAD=new", "Z=3"});
  EXPECT_EQ(env, (std::vector<std::string>{"A=1", "AB=2", "LD_PRELOAD=new", "Z=3"}));
}

TEST(SyscallArch, NamesTheBuildsArchitecture) {
#if defined(__x86_64__)
  EXPECT_STREQ(syscall_arch_name(), "x86-64");
#elif defined(__aarch64__)
  EXPECT_STREQ(syscall_arch_name(), "aarch64");
#endif
  EXPECT_EQ(stopped_syscall_number(1), -1);  // not our tracee
}

}  // namespace
}  // namespace allocscope
