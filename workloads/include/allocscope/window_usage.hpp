// What the process got from the machine during the timed window, beside the
// wall clock: its CPU time, how often the kernel took a CPU away from it
// (involuntary context switches) and the machine's steal time (time the
// hypervisor gave this VM's vCPUs to someone else). A window whose wall time
// grew while its CPU time did not was disturbed, not slower.
#pragma once

namespace allocscope {

struct WindowUsage {
  double cpu_s = 0;         // process CPU time, all threads (CLOCK_PROCESS_CPUTIME_ID)
  long invol_switches = 0;  // getrusage(RUSAGE_SELF).ru_nivcsw
  double steal_s = -1;      // /proc/stat steal summed over CPUs; -1 when unreadable
};

// A reading at one edge of the window. Does not allocate (it runs inside the
// process being measured, next to the heap it measures).
WindowUsage read_window_usage() noexcept;

// end - begin (steal -1 when either reading lacks it).
WindowUsage usage_between(const WindowUsage& begin, const WindowUsage& end) noexcept;

}  // namespace allocscope
