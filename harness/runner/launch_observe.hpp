// Step 2 of a launch: let the stopped child exec and watch it to its end.
// Passes ptrace stops on (counting trapped memory syscalls, reading VmHWM at
// the exit stop), drains fd 3 and stderr, samples RSS on a clock, and kills
// the job's process group at the deadline or on a stop request. What it reads
// from the world (clock, RSS, the stop request) goes through ObserveWorld,
// which tests replace.
#pragma once

#include <sys/resource.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "harness/runner/launch_child.hpp"
#include "harness/runner/launcher.hpp"

namespace allocscope {

class ObserveWorld {
 public:
  using Clock = std::chrono::steady_clock;
  virtual ~ObserveWorld() = default;
  virtual Clock::time_point now();
  virtual uint64_t rss_bytes(pid_t pid);  // 0 when the process is gone
  virtual bool stop_requested();          // g_stop_requested
};

// The real clock, /proc and g_stop_requested.
ObserveWorld& real_world();

// RSS samples every `interval_s` from t0 (0 = none); a late tick does not
// cause a burst of catch-up samples.
class RssSampler {
 public:
  using Clock = ObserveWorld::Clock;
  RssSampler(double interval_s, Clock::time_point t0);
  bool enabled() const { return enabled_; }
  Clock::time_point next_due() const { return next_; }
  // Takes a sample from `read` when one is due at `now` (none when it reads 0).
  // True when a sample was added to `series`.
  template <class Read>
  bool tick(Clock::time_point now, Read&& read, std::vector<std::pair<double, uint64_t>>& series) {
    if (!due(now)) return false;
    uint64_t rss = read();
    if (rss) series.emplace_back(std::chrono::duration<double>(now - t0_).count(), rss);
    return rss != 0;
  }
  bool due(Clock::time_point now);  // and moves to the next due time when so

 private:
  bool enabled_;
  Clock::time_point t0_, next_;
  Clock::duration interval_;
};

// What a ptrace stop of task `tid` is, and which signal to pass on with the
// restart. `main` is the job's first process; `seen_start` says whether the
// task's initial SIGSTOP was already seen.
enum class StopKind { MainExit, TaskExit, NewProcess, Exec, SyscallTrap, NewTask, Signal, Other };
struct StopAction {
  StopKind kind = StopKind::Other;
  int pass_signal = 0;
};
StopAction decide_stop(int wait_status, pid_t tid, pid_t main, bool seen_start);

// Appends to a kept tail of about `keep` bytes (0 = everything): the tail
// holds at most 2 * keep bytes until trim_tail cuts it to `keep`.
void append_tail(std::string& tail, const char* data, size_t n, size_t keep);
void trim_tail(std::string& tail, size_t keep);

// How the watch ended, for the classification.
struct Observation {
  int wait_status = 0;
  struct rusage usage {};
  double wall_s = 0;
  std::string killed_by_us;  // "" | "timeout" | "interrupted"
  std::string stuck_at;      // at a timeout: where the job's threads were (describe_threads)
};

// Runs the child (stopped before exec by start_child) to its end and reaps it.
// Fills res.rss_series (the whole tree), res.tree, res.syscalls (trap
// method), res.at_exit, res.result_text and the output tails.
Observation observe(const LaunchSpec& spec, Child& child, ObserveWorld& world, LaunchResult& res);

}  // namespace allocscope
