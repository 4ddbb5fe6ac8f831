// Step 3 of a launch: how a job ended, from the facts gathered by the
// observer (wait status, who killed it, the memory cgroup's counters, the
// tail of stderr). A pure function: tests feed it synthetic wait statuses.
#pragma once

#include <cstdint>
#include <string>

namespace allocscope {

struct EndFacts {
  int wait_status = 0;       // as wait4 returned it for the reaped child
  std::string killed_by_us;  // "" | "timeout" | "interrupted"
  double timeout_s = 0;
  int exec_errno = 0;  // the child could not exec the program
  std::string program;
  bool in_cgroup = false;  // the memory limit was a memory cgroup
  uint64_t cgroup_oom_kills = 0;
  uint64_t cgroup_peak_bytes = 0;
  uint64_t mem_limit_bytes = 0;  // 0 = none
  std::string stderr_tail;
  std::string stuck_at;  // at a timeout: where the job's threads were
};

struct EndClass {
  std::string status;  // ok | crashed | timeout | oom | failed | interrupted
  std::string reason;  // why, when not ok
  int exit_code = -1;
  int signal = 0;
};

EndClass classify_end(const EndFacts& facts);

}  // namespace allocscope
