#include "harness/probes/process_tree.hpp"

#include <algorithm>

namespace allocscope {

ProcessTree::ProcessTree(pid_t top, ProcReader reader) : top_(top), read_(std::move(reader)) {
  add(top);
}

void ProcessTree::add(pid_t pid) {
  if (live_.insert(pid).second) ++mem_.processes;
}

void ProcessTree::observe(uint64_t rss, uint64_t pte, uint64_t huge) {
  mem_.peak_rss_bytes = std::max(mem_.peak_rss_bytes, rss);
  mem_.page_tables_peak_bytes = std::max(mem_.page_tables_peak_bytes, pte);
  if (huge > mem_.thp_peak_bytes || (huge == mem_.thp_peak_bytes && rss > mem_.rss_at_thp_peak_bytes)) {
    mem_.thp_peak_bytes = huge;
    mem_.rss_at_thp_peak_bytes = rss;
  }
}

uint64_t ProcessTree::sample() {
  uint64_t sum = 0;
  for (pid_t p : live_) sum += read_.rss(p);
  if (sum > best_sample_) {  // a new peak of the tree: what it is made of
    best_sample_ = sum;
    // smaps_rollup walks the page tables under the job's mmap lock: read it
    // again only when the peak grew by more than 1/16 since the last reading.
    const bool walk = sum > rollup_at_ + rollup_at_ / 16;
    uint64_t pte = 0, huge = 0;
    for (pid_t p : live_) {
      pte += read_.status(p).vm_pte_bytes;
      if (walk) huge += read_.anon_huge(p);
    }
    if (walk) rollup_at_ = sum;
    observe(sum, pte, walk ? huge : 0);
  }
  return sum;
}

ProcStatus ProcessTree::exiting(pid_t pid) {
  ProcStatus st = read_.status(pid);
  if (st.ok) {
    // The others are counted as last sampled; this one at its own peak.
    observe(st.vm_hwm_bytes, st.vm_pte_bytes, read_.anon_huge(pid));
    if (pid == top_) mem_.top_peak_rss_bytes = st.vm_hwm_bytes;
  }
  live_.erase(pid);
  return st;
}

}  // namespace allocscope
