// Reading a process's memory figures from /proc.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

namespace allocscope {

struct ProcStatus {
  uint64_t vm_hwm_bytes = 0;   // peak RSS of this process image
  uint64_t vm_peak_bytes = 0;  // peak virtual size
  uint64_t vm_rss_bytes = 0;
  uint64_t vm_pte_bytes = 0;  // page tables of this process
  bool ok = false;
};

// /proc/PID/status fields VmHWM, VmPeak, VmRSS, VmPTE (pid 0 = self).
ProcStatus read_proc_status(pid_t pid);
// AnonHugePages of /proc/PID/smaps_rollup: anonymous memory backed by
// transparent huge pages (walks the page tables: read it sparingly).
uint64_t read_anon_huge_bytes(pid_t pid);
// Resident bytes from /proc/PID/statm; cheap enough to sample every few ms.
// Returns 0 when the process is gone.
uint64_t read_statm_rss(pid_t pid);
// Whole small file as text ("" if unreadable).
std::string read_text_file(const std::string& path);

}  // namespace allocscope
