// Step 1 of a launch: the child set up and stopped before exec. Pipes for
// the result record (fd 3), stderr and exec errors; the memory limit (a
// per-job memory cgroup or RLIMIT_AS); the syscall counting method (perf
// tracepoints, or a seccomp trap the parent counts through ptrace); the
// preload comes in through the environment.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "harness/probes/memcg.hpp"
#include "harness/probes/perf_counters.hpp"
#include "harness/probes/syscall_counter.hpp"
#include "harness/runner/launcher.hpp"
#include "harness/runner/live_counter.hpp"

namespace allocscope {

// A pipe whose ends close themselves.
struct Pipe {
  int r = -1, w = -1;
  bool open(int flags);
  void close_r();
  void close_w();
  ~Pipe();
};

// What step 1 prepared and step 2 observes.
struct Child {
  pid_t pid = -1;
  Pipe result, err, out, execerr;  // out: only when stdout is kept
  MemCgroup cgroup;
  bool use_rlimit = false;  // RLIMIT_AS enforces the memory limit
  bool trap = false;        // memory syscalls counted by seccomp + ptrace
  std::unique_ptr<SyscallCounter> counter;
  PerfCounters perf;
  LiveCounter live;  // open when spec.live_counter and memfd works
};

// The environment of the child: `base` (NULL-terminated, like environ) with
// each "NAME=value" of `set` added or replacing the same name.
std::vector<std::string> child_environment(char** base, const std::vector<std::string>& set);

// Chooses the counting method and the memory limit's enforcement (creating
// the cgroup) and opens the pipes. False, with res.reason, when the job
// cannot start.
bool prepare_child(const LaunchSpec& spec, Child& child, LaunchResult& res);

// Forks and execs up to the child's stop before exec, then applies the limit,
// sets the ptrace options and attaches the counters. False, with res.reason,
// when the child did not get there (it is then reaped).
bool start_child(const LaunchSpec& spec, Child& child, LaunchResult& res);

}  // namespace allocscope
