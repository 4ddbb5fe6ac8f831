#include "harness/runner/launcher.hpp"

#include <unistd.h>

#include "harness/probes/seccomp_counter.hpp"
#include "harness/runner/launch_child.hpp"
#include "harness/runner/launch_classify.hpp"
#include "harness/runner/launch_observe.hpp"

namespace allocscope {

std::atomic<bool> g_stop_requested{false};

namespace {

void read_cgroup(const Child& c, LaunchResult& res) {
  if (res.mem_limit_method != "cgroup-v1") return;
  res.cgroup_peak_bytes = c.cgroup.peak_bytes();
  res.cgroup_failcnt = c.cgroup.failcnt();
  res.cgroup_oom_kills = c.cgroup.oom_kills();
}

EndFacts end_facts(const LaunchSpec& spec, const Child& c, const Observation& obs, const LaunchResult& res) {
  EndFacts f;
  f.wait_status = obs.wait_status;
  f.killed_by_us = obs.killed_by_us;
  f.timeout_s = spec.timeout_s;
  int e = 0;
  if (::read(c.execerr.r, &e, sizeof e) == sizeof e) f.exec_errno = e;
  f.program = spec.argv.empty() ? std::string() : spec.argv[0];
  f.in_cgroup = res.mem_limit_method == "cgroup-v1";
  f.cgroup_oom_kills = res.cgroup_oom_kills;
  f.cgroup_peak_bytes = res.cgroup_peak_bytes;
  f.mem_limit_bytes = spec.mem_limit_bytes;
  f.stderr_tail = res.stderr_tail;
  f.stuck_at = obs.stuck_at;
  return f;
}

}  // namespace

LaunchResult launch(const LaunchSpec& spec) {
  return launch(spec, real_world());
}

LaunchResult launch(const LaunchSpec& spec, ObserveWorld& world) {
  LaunchResult res;
  Child child;
  if (!prepare_child(spec, child, res) || !start_child(spec, child, res)) return res;
  const Observation obs = observe(spec, child, world, res);
  res.usage = obs.usage;
  res.wall_s = obs.wall_s;
  read_cgroup(child, res);
  child.cgroup.remove();
  const EndClass end = classify_end(end_facts(spec, child, obs, res));
  res.status = end.status;
  res.reason = end.reason;
  res.exit_code = end.exit_code;
  res.signal = end.signal;
  if (child.counter) res.syscalls = child.counter->read();
  res.counters = child.perf.read();
  if (child.trap)
    for (const auto& name : memory_syscalls()) res.syscalls.emplace(name, 0);  // zero counts are counts too
  trim_tail(res.stderr_tail, spec.stderr_keep_bytes);
  trim_tail(res.stdout_tail, spec.stdout_keep_bytes);
  return res;
}

}  // namespace allocscope
