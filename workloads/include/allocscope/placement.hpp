// Thread placement, a stated condition of a run (allocscope run --placement):
// "none" leaves the workload's threads to the scheduler; "spread" pins the
// threads RunContext::parallel starts round-robin over the CPUs the process
// may use (thread t on the (t mod n)-th allowed CPU), so two threads never
// share a CPU while there are at least as many CPUs as threads.
#pragma once

#include <string>
#include <vector>

namespace allocscope {

enum class Placement { None, Spread };

// "none" | "spread"; throws std::invalid_argument otherwise.
Placement parse_placement(const std::string& text);
const char* to_string(Placement p);

// The CPUs this process may run on (sched_getaffinity), in increasing order.
std::vector<int> allowed_cpus();

// Pins the calling thread to `cpu`; throws std::runtime_error (with errno's
// text) when the kernel refuses.
void pin_this_thread(int cpu);

}  // namespace allocscope
