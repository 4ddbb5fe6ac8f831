#include "harness/results/metrics.hpp"

#include <deque>

namespace allocscope {

const std::vector<MetricDef>& metric_defs() {
  using C = MetricClass;
  constexpr auto lo = Direction::LowerIsBetter, hi = Direction::HigherIsBetter, none = Direction::None;
  static const std::vector<MetricDef> defs{
      {"wall_s", "s", C::Time, lo, "wall-clock time of the child process, exec to exit"},
      {"window_s", "s", C::Time, lo, "the workload's timed window (set-up excluded)"},
      {"prepare_s", "s", C::Info, none, "the workload's set-up phase before the window (input generation, prepare())"},
      {"heap_shift_bytes", "B", C::Info, none,
       "--heap-shift: the bytes the worker allocated and held before anything else, this round's heap layout"},
      {"cpu_user_s", "s", C::Time, lo, "user CPU time of the child (wait4 rusage)"},
      {"cpu_sys_s", "s", C::Time, lo, "system CPU time of the child (wait4 rusage)"},
      {"ops", "ops", C::Info, none, "operations done in the timed window"},
      {"ops_per_s", "ops/s", C::Throughput, hi, "ops / window_s"},
      {"window_cpu_s", "s", C::Time, lo,
       "CPU time of the worker's threads inside the timed window (CLOCK_PROCESS_CPUTIME_ID): what wall time would be "
       "on a machine that never took a CPU away"},
      {"ops_per_cpu_s", "ops/s", C::Throughput, hi, "ops / window_cpu_s"},
      {"window_invol_switches", "switches", C::Info, none,
       "involuntary context switches of the worker inside the window: how often the kernel took its CPU away"},
      {"placement_pinned_threads", "threads", C::Info, none,
       "--placement spread: the workload's window threads that ran on the CPU they were pinned to (sched_getcpu "
       "checked after pinning)"},
      {"window_steal_s", "s", C::Info, none,
       "steal time of the machine's CPUs inside the window (/proc/stat): time the hypervisor gave to other guests"},
      {"peak_rss_bytes", "B", C::Memory, lo,
       "peak resident set of the job's whole process tree (max of the sampled sums over its processes and of each "
       "process's VmHWM at its exit stop; one process: its VmHWM)"},
      {"top_peak_rss_bytes", "B", C::Memory, lo, "peak resident set of the job's first process alone (its VmHWM)"},
      {"processes", "procs", C::Info, none, "processes the job started, itself included (followed through fork/vfork)"},
      {"thp_peak_bytes", "B", C::Info, none,
       "transparent huge pages of the tree (AnonHugePages of smaps_rollup) at its peak observation"},
      {"thp_share_ratio", "x", C::Info, none, "thp_peak_bytes / the tree's RSS at the same observation"},
      {"page_tables_peak_bytes", "B", C::Memory, lo, "page tables of the tree (sum of VmPTE) at its peak observation"},
      {"hw_cycles", "cycles", C::Count, lo, "CPU cycles of the tree (perf, inherited); unavailable without a PMU"},
      {"hw_instructions", "instr", C::Count, lo, "instructions retired by the tree (perf hardware counter)"},
      {"hw_cache_misses", "misses", C::Count, lo, "last-level cache misses of the tree (perf hardware counter)"},
      {"hw_dtlb_load_misses", "misses", C::Count, lo, "data-TLB load misses of the tree (perf hardware cache counter)"},
      {"task_clock_ns", "ns", C::Time, lo, "CPU time of the tree's tasks (perf software task-clock)"},
      {"context_switches", "switches", C::Count, lo, "context switches of the tree (perf software counter)"},
      {"page_faults", "faults", C::Count, lo, "page faults of the tree (perf software counter)"},
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
      {"frag_realized_ratio", "x", C::Ratio, lo,
       "(peak RSS - peak live bytes) / peak live bytes over the RSS and live-bytes series sampled on one clock "
       "(in-process workloads)"},
      {"rss_at_peak_bytes", "B", C::Memory, lo, "RSS when the workload marked its live peak"},
      {"rss_window_end_bytes", "B", C::Memory, lo, "RSS at the end of the timed window, before tear-down"},
      {"lat_p50_ns", "ns", C::Time, lo, "median sampled operation latency"},
      {"lat_p99_ns", "ns", C::Time, lo, "99th percentile sampled operation latency"},
      {"lat_p999_ns", "ns", C::Time, lo, "99.9th percentile sampled operation latency"},
      {"lat_max_ns", "ns", C::Time, lo, "largest sampled operation latency"},
      {"trace_ideal_peak_bytes", "B", C::Info, none,
       "trace replay: peak live requested bytes of the recorded trace (max ideal RSS)"},
      {"trace_skipped_ops", "ops", C::Info, none,
       "trace replay: recorded ops not replayed (frees of unknown blocks, failed allocations)"},
      {"instructions", "instr", C::Count, lo, "instructions executed (Valgrind), when requested"},
      {"alloc_stats_peak", "", C::Info, none, "the allocator's own statistics at the live peak (its names and units)"},
      {"alloc_stats_end", "", C::Info, none, "the allocator's own statistics after the workload's tear-down"},
      // Reported by particular workloads (see each workload's doc line).
      {"rss_pinned_bytes", "B", C::Memory, lo, "top-pinning: RSS with every block freed but the top-most one"},
      {"rss_unpinned_bytes", "B", C::Memory, lo, "top-pinning: RSS after the pinning block is freed too"},
      {"rss_after_free_all_bytes", "B", C::Memory, lo,
       "RSS right after the workload freed everything (before any release)"},
      {"rss_retained_bytes", "B", C::Memory, lo,
       "RSS once the bulk is freed (threads gone / small records left), before release"},
      {"rss_growth_bytes", "B", C::Memory, lo,
       "RSS at the end minus RSS after the first tenth, under a bounded live set"},
      {"rss_before_idle_bytes", "B", C::Memory, lo, "bursty-idle: RSS right after the last burst freed its blocks"},
      {"rss_after_idle_bytes", "B", C::Memory, lo, "bursty-idle: RSS after the idle gap"},
      {"heap_over_live_ratio", "x", C::Ratio, lo,
       "(RSS - RSS before the workload) / live bytes at the workload's worst point"},
      {"frag_time_avg_ratio", "x", C::Ratio, lo,
       "time-averaged heap / time-averaged live (Johnstone-Wilson measure 1)"},
      {"realloc_moved_ratio", "x", C::Ratio, lo, "fraction of realloc calls that returned a new address"},
      {"untouched_rss_delta_bytes", "B", C::Memory, lo,
       "lazy-touch: RSS growth from allocating a block without writing it"},
      {"touched_rss_delta_bytes", "B", C::Memory, lo, "RSS growth from writing the block(s)"},
      {"faults_per_page", "faults", C::Count, lo,
       "minor page faults per page written (1 = one per 4 KiB page; < 1 with THP)"},
      {"rss_before_trim_bytes", "B", C::Memory, lo, "trim: RSS with the heap full"},
      {"rss_after_trim_bytes", "B", C::Memory, lo, "trim: RSS after the heap's blocks are freed"},
      {"real_time_ns", "ns", C::Time, lo, "micro: wall time per benchmark iteration (Google Benchmark real_time)"},
      {"cpu_time_ns", "ns", C::Time, lo, "micro: CPU time per benchmark iteration (Google Benchmark cpu_time)"},
      {"iterations", "iters", C::Info, none, "micro: Google Benchmark iterations of the benchmark"},
      {"items_per_second", "items/s", C::Throughput, hi, "micro: Google Benchmark's items processed per second"},
      {"reserved_bytes", "B", C::Info, none, "overcommit: virtual memory reserved by malloc"},
      {"rss_creep_bytes_per_min", "B/min", C::Memory, lo,
       "steady-state: slope of a least-squares line through RSS samples after the warm-up (RSS growth per minute "
       "under a bounded live set)"},
      {"rss_creep_ratio_per_min", "x/min", C::Info, none,
       "steady-state: rss_creep_bytes_per_min / live bytes at the end of the window"},
      {"rss_creep_samples", "samples", C::Info, none, "steady-state: RSS samples the creep line was fitted through"},
      {"profile_planned_peak_bytes", "B", C::Info, none,
       "profile-load: peak live requested bytes of the drawn streams (sum over threads of each one's peak)"},
  };
  return defs;
}

namespace {
std::deque<MetricDef>& declared() {  // a deque: pointers from find_metric stay valid
  static std::deque<MetricDef> defs;
  return defs;
}
}  // namespace

const MetricDef* find_metric(const std::string& name) {
  for (const auto& d : metric_defs())
    if (d.name == name) return &d;
  for (const auto& d : declared())
    if (d.name == name) return &d;
  return nullptr;
}

void declare_metric(const MetricDef& def) {
  if (find_metric(def.name)) return;
  declared().push_back(def);
}

std::vector<MetricDef> declared_metrics() {
  return {declared().begin(), declared().end()};
}

std::string to_string(MetricClass c) {
  switch (c) {
    case MetricClass::Time:
      return "time";
    case MetricClass::Throughput:
      return "throughput";
    case MetricClass::Count:
      return "count";
    case MetricClass::Memory:
      return "memory";
    case MetricClass::Ratio:
      return "ratio";
    case MetricClass::Info:
      return "info";
  }
  return "?";
}

std::string to_string(Direction d) {
  switch (d) {
    case Direction::LowerIsBetter:
      return "lower_is_better";
    case Direction::HigherIsBetter:
      return "higher_is_better";
    case Direction::None:
      return "none";
  }
  return "?";
}

}  // namespace allocscope
