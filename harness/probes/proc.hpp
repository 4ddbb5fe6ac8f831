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
  bool ok = false;
};

// /proc/PID/status fields VmHWM, VmPeak, VmRSS (pid 0 = self).
ProcStatus read_proc_status(pid_t pid);
// Resident bytes from /proc/PID/statm; cheap enough to sample every few ms.
// Returns 0 when the process is gone.
uint64_t read_statm_rss(pid_t pid);
// Whole small file as text ("" if unreadable).
std::string read_text_file(const std::string& path);

}  // namespace allocscope
