// Per-job perf counters through perf_event_open: counting only, inherited by
// every thread and child process, enabled at exec. Hardware events (cycles,
// instructions, cache misses, dTLB load misses) where the machine has a PMU;
// where it has none, each is reported unavailable with the reason, never as
// zero. Software events (task clock, context switches, page faults) work on
// every Linux kernel.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace allocscope {

struct PerfCounterDef {
  const char* metric;  // the metric name
  uint32_t type;       // PERF_TYPE_*
  uint64_t config;
};
const std::vector<PerfCounterDef>& perf_counter_defs();

struct PerfReading {
  std::string metric;
  bool available = false;
  uint64_t value = 0;  // scaled by enabled/running time when the PMU multiplexed
  std::string why;     // when not available
};

class PerfCounters {
 public:
  PerfCounters() = default;
  PerfCounters(const PerfCounters&) = delete;
  PerfCounters& operator=(const PerfCounters&) = delete;
  ~PerfCounters();
  // Opens every counter on a child that has not exec'd yet; one that cannot
  // be opened is recorded with the reason.
  void attach(pid_t pid);
  // After the child is reaped: the totals of the whole tree.
  std::vector<PerfReading> read() const;

 private:
  struct Open {
    std::string metric;
    int fd = -1;
    std::string why;
  };
  std::vector<Open> open_;
};

}  // namespace allocscope
