// Starts one job in a fresh child process and measures it from outside:
// rusage, peak RSS/virtual size read at the ptrace exit stop (never
// ru_maxrss, which inherits the parent's peak), memory-syscall counts, an RSS
// time series, the worker's result record (fd 3) and the tail of stderr.
// In three steps, each in its own file: set up the child (launch_child),
// wait and observe (launch_observe), classify the end (launch_classify).
#pragma once

#include <sys/resource.h>
#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "allocscope/exit_codes.hpp"
#include "harness/probes/perf_counters.hpp"
#include "harness/probes/proc.hpp"
#include "harness/probes/process_tree.hpp"

namespace allocscope {

constexpr size_t kStderrTailBytes = 4096;

struct LaunchSpec {
  std::vector<std::string> argv;
  std::vector<std::string> env_set;  // "NAME=value", added to (or replacing in) the user's environment
  double timeout_s = 600;
  uint64_t mem_limit_bytes = 0;  // 0 = none
  // How the memory limit is enforced: "auto" (a memory cgroup when one can be
  // created, else RLIMIT_AS), "cgroup" (cgroup or fail), "rlimit" (RLIMIT_AS).
  std::string mem_limit_method = "auto";
  double rss_interval_s = 0.010;  // 0 = no RSS series
  bool count_syscalls = true;
  bool force_ptrace_counting = false;  // use the seccomp+ptrace fallback even if perf works
  bool result_pipe = true;             // give the child fd 3 for its result record
  // Output kept: the last N bytes of each stream (stdout: 0 = to /dev/null).
  size_t stdout_keep_bytes = 0;
  size_t stderr_keep_bytes = kStderrTailBytes;
  bool perf_counters = true;  // hardware and software perf counters of the tree
  bool thp_never = false;     // transparent huge pages off for the job (prctl PR_SET_THP_DISABLE)
  // Share a live-bytes counter with the child (fd kLiveCounterFd, see
  // live_counter.hpp), read at each RSS sample into live_series.
  bool live_counter = false;
};

struct LaunchResult {
  std::string status = "failed";  // ok | crashed | timeout | oom | failed | interrupted
  std::string reason;             // why, when not ok
  int exit_code = -1;
  int signal = 0;
  double wall_s = 0;
  struct rusage usage {};
  ProcStatus at_exit;  // VmHWM / VmPeak read at the exit stop
  TreeMemory tree;     // the whole process tree the job started
  std::vector<PerfReading> counters;
  std::map<std::string, uint64_t> syscalls;
  std::string syscall_method;  // perf_event_open | none (with reason)
  std::vector<std::pair<double, uint64_t>> rss_series;
  // With live_counter: the worker's live requested bytes at each RSS sample
  // (same times as rss_series).
  std::vector<std::pair<double, uint64_t>> live_series;
  std::string result_text;                      // what the child wrote to fd 3
  std::string stderr_tail;                      // the last stderr_keep_bytes of stderr
  std::string stdout_tail;                      // the last stdout_keep_bytes of stdout
  uint64_t stdout_bytes = 0, stderr_bytes = 0;  // written in all
  // How the memory limit was enforced: "cgroup-v1" | "rlimit-as" | "none",
  // and what the cgroup measured (cgroup-v1 only).
  std::string mem_limit_method = "none";
  std::string mem_limit_note;      // why the cgroup was not used, if so
  uint64_t cgroup_peak_bytes = 0;  // memory.max_usage_in_bytes
  uint64_t cgroup_failcnt = 0;     // times the limit was hit
  uint64_t cgroup_oom_kills = 0;   // OOM kills inside the cgroup
};

// Set by the CLI's SIGINT/SIGTERM handler: the running child is killed and
// the launch returns with status "interrupted".
extern std::atomic<bool> g_stop_requested;

LaunchResult launch(const LaunchSpec& spec);

class ObserveWorld;
// The same with the clock, RSS reader and stop request of `world` (tests).
LaunchResult launch(const LaunchSpec& spec, ObserveWorld& world);

}  // namespace allocscope
