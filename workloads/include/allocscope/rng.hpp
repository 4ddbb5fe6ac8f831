// Small deterministic random number helpers for workloads (generate before
// the timed window).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace allocscope {

// SplitMix64: fast, good enough for workload shapes, identical on every host.
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t next() {
    uint64_t z = (s_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [lo, hi].
  uint64_t uniform(uint64_t lo, uint64_t hi) { return lo + next() % (hi - lo + 1); }
  double unit() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }

 private:
  uint64_t s_;
};

// A per-thread seed derived from the job seed.
inline uint64_t thread_seed(uint64_t seed, int tid) {
  return seed * 0x100000001b3ULL + static_cast<uint64_t>(tid) * 0x9e3779b97f4a7c15ULL + 1;
}

}  // namespace allocscope
