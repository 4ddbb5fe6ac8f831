#include "metrics.hpp"

namespace allocscope {

const std::vector<MetricDef>& metric_defs() {
  using C = MetricClass;
  constexpr auto lo = Direction::LowerIsBetter, hi = Direction::HigherIsBetter, none = Direction::None;
  static const std::vector<MetricDef> defs{
      {"wall_s", "s", C::Time, lo, "wall-clock time of the child process, exec to exit"},
      {"window_s", "s", C::Time, lo, "the workload's timed window (set-up excluded)"},
      {"cpu_user_s", "s", C::Time, lo, "user CPU time of the child (wait4 rusage)"},
      {"cpu_sys_s", "s", C::Time, lo, "system CPU time of the child (wait4 rusage)"},
      {"ops", "ops", C::Info, none, "operations done in the timed window"},
      {"ops_per_s", "ops/s", C::Throughput, hi, "ops / window_s"},
      {"peak_rss_bytes", "B", C::Memory, lo, "peak resident set (VmHWM at the exit stop)"},
      {"end_rss_bytes", "B", C::Memory, lo, "resident set after the workload freed everything"},
      {"rss_after_release_bytes", "B", C::Memory, lo, "resident set after asking the allocator to release memory"},
      {"vm_peak_bytes", "B", C::Memory, lo, "peak virtual size (VmPeak at the exit stop)"},
      {"minflt", "faults", C::Count, lo, "minor page faults (wait4 rusage)"},
      {"majflt", "faults", C::Count, lo, "major page faults (wait4 rusage)"},
      {"vol_ctx_switches", "switches", C::Count, lo, "voluntary context switches"},
      {"invol_ctx_switches", "switches", C::Count, lo, "involuntary context switches"},
      {"syscalls", "calls", C::Count, lo, "memory syscalls by kind (mmap, munmap, mremap, brk, madvise, mprotect)"},
      {"syscalls_total", "calls", C::Count, lo, "sum of the memory syscalls"},
      {"live_peak_bytes", "B", C::Info, none, "peak live requested bytes (what an ideal allocator needs)"},
      {"live_end_bytes", "B", C::Info, none, "live requested bytes at the end of the window"},
      {"usable_peak_bytes", "B", C::Memory, lo, "peak live usable bytes (malloc_usable_size; with --track-usable)"},
      {"internal_overhead", "x", C::Ratio, lo, "usable / requested bytes over all allocations (with --track-usable)"},
      {"frag_peak_ratio", "x", C::Ratio, lo, "peak_rss / live_peak (Johnstone-Wilson measure 4)"},
      {"frag_end_ratio", "x", C::Ratio, lo, "RSS / live bytes at the end of the timed window (when something is live)"},
      {"rss_at_peak_bytes", "B", C::Memory, lo, "RSS when the workload marked its live peak"},
      {"rss_window_end_bytes", "B", C::Memory, lo, "RSS at the end of the timed window, before tear-down"},
      {"lat_p50_ns", "ns", C::Time, lo, "median sampled operation latency"},
      {"lat_p99_ns", "ns", C::Time, lo, "99th percentile sampled operation latency"},
      {"lat_p999_ns", "ns", C::Time, lo, "99.9th percentile sampled operation latency"},
      {"lat_max_ns", "ns", C::Time, lo, "largest sampled operation latency"},
      {"trace_ideal_peak_bytes", "B", C::Info, none, "trace replay: peak live requested bytes of the recorded trace (max ideal RSS)"},
      {"trace_skipped_ops", "ops", C::Info, none, "trace replay: recorded ops not replayed (frees of unknown blocks, failed allocations)"},
      {"instructions", "instr", C::Count, lo, "instructions executed (Valgrind), when requested"},
  };
  return defs;
}

const MetricDef* find_metric(const std::string& name) {
  for (const auto& d : metric_defs())
    if (d.name == name) return &d;
  return nullptr;
}

std::string to_string(MetricClass c) {
  switch (c) {
    case MetricClass::Time: return "time";
    case MetricClass::Throughput: return "throughput";
    case MetricClass::Count: return "count";
    case MetricClass::Memory: return "memory";
    case MetricClass::Ratio: return "ratio";
    case MetricClass::Info: return "info";
  }
  return "?";
}

std::string to_string(Direction d) {
  switch (d) {
    case Direction::LowerIsBetter: return "lower_is_better";
    case Direction::HigherIsBetter: return "higher_is_better";
    case Direction::None: return "none";
  }
  return "?";
}

}  // namespace allocscope
