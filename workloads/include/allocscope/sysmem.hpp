// What a workload can read about its own process memory from inside the
// worker: RSS and virtual size (/proc/self/statm) and minor faults
// (getrusage(RUSAGE_SELF)). Cheap; no allocation.
#pragma once

#include <cstdint>

namespace allocscope {

uint64_t self_rss_bytes();
uint64_t self_vm_bytes();
uint64_t self_minor_faults();
uint64_t page_size();
// Sleeps (idle: no allocator calls) for the given milliseconds.
void idle_ms(double ms);

}  // namespace allocscope
