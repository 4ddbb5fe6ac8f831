// The memory of a job's whole process tree. The launcher follows fork and
// vfork through ptrace, so it knows every live process of the job; the tree's
// RSS is the sum of their resident sets on each sample, and each process's
// own peak (VmHWM), page tables (VmPTE) and huge pages (AnonHugePages) are
// read again at its exit stop, while its memory is still mapped.
//
// peak_rss_bytes of the tree = max(largest sampled sum, largest VmHWM of one
// process). Error: a peak of two processes at once that falls between two
// samples is seen as the larger single process's peak (a lower bound); a
// single process's peak is exact.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <set>

#include "harness/probes/proc.hpp"

namespace allocscope {

struct TreeMemory {
  uint64_t peak_rss_bytes = 0;          // the tree's peak (see above)
  uint64_t top_peak_rss_bytes = 0;      // the first process's own VmHWM
  uint64_t page_tables_peak_bytes = 0;  // largest VmPTE sum seen
  uint64_t thp_peak_bytes = 0;          // AnonHugePages of the tree at its peak observation
  uint64_t rss_at_thp_peak_bytes = 0;   // the tree's RSS at that observation (for the huge-page share)
  uint32_t processes = 0;               // processes seen, the first included
};

// What the tree reads from /proc; tests replace it.
struct ProcReader {
  std::function<uint64_t(pid_t)> rss = read_statm_rss;
  std::function<ProcStatus(pid_t)> status = read_proc_status;
  std::function<uint64_t(pid_t)> anon_huge = read_anon_huge_bytes;
};

class ProcessTree {
 public:
  explicit ProcessTree(pid_t top, ProcReader reader = {});
  void add(pid_t pid);  // a new process of the job (fork/vfork event)
  bool contains(pid_t pid) const { return live_.count(pid) > 0; }
  const std::set<pid_t>& live() const { return live_; }
  void gone(pid_t pid) { live_.erase(pid); }  // reaped without an exit stop (e.g. SIGKILL)
  // The process is at its exit stop: its final figures. Returns its status.
  ProcStatus exiting(pid_t pid);
  // One sample of the tree's RSS (0 when every process is gone); a new peak
  // also reads page tables and huge pages.
  uint64_t sample();
  const TreeMemory& memory() const { return mem_; }

 private:
  void observe(uint64_t rss, uint64_t pte, uint64_t huge);
  pid_t top_;
  ProcReader read_;
  std::set<pid_t> live_;
  TreeMemory mem_;
  uint64_t best_sample_ = 0;
  uint64_t rollup_at_ = 0;  // tree RSS at the last smaps_rollup reading
};

}  // namespace allocscope
