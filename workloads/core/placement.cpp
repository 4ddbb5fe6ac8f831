#include "allocscope/placement.hpp"

#include <pthread.h>
#include <sched.h>

#include <cstring>
#include <stdexcept>

namespace allocscope {

Placement parse_placement(const std::string& text) {
  if (text == "none") return Placement::None;
  if (text == "spread") return Placement::Spread;
  throw std::invalid_argument("placement '" + text + "': expected none or spread");
}

const char* to_string(Placement p) {
  return p == Placement::Spread ? "spread" : "none";
}

std::vector<int> allowed_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> cpus;
  if (sched_getaffinity(0, sizeof set, &set) != 0) return cpus;
  for (int c = 0; c < CPU_SETSIZE; ++c)
    if (CPU_ISSET(c, &set)) cpus.push_back(c);
  return cpus;
}

void pin_this_thread(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (int err = pthread_setaffinity_np(pthread_self(), sizeof set, &set); err != 0)
    throw std::runtime_error("cannot pin a thread to CPU " + std::to_string(cpu) + ": " + std::strerror(err));
}

}  // namespace allocscope
