// Size distributions shared by the workloads; all draw from an Rng in
// prepare(), never in the timed window.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "allocscope/rng.hpp"

namespace allocscope {

// Uniform in [lo, hi].
inline uint64_t size_uniform(Rng& r, uint64_t lo, uint64_t hi) {
  return r.uniform(lo, hi);
}

// Density proportional to 1/s^2 on [lo, hi] (glibc's thread benchmark shape):
// inverse-CDF sampling.
uint64_t size_inverse_square(Rng& r, uint64_t lo, uint64_t hi);

// Density falling linearly from lo to zero at hi (many small, few large).
uint64_t size_linear_dropoff(Rng& r, uint64_t lo, uint64_t hi);

// Skewed towards small sizes: lo + (hi-lo) * u^k, k > 1.
uint64_t size_skewed(Rng& r, uint64_t lo, uint64_t hi, double k);

// A power of two in [lo, hi] (uniform exponent), enlarged x100 / x1000 /
// x10000 with small probabilities (rare big objects among small ones).
uint64_t size_pow2_rare_large(Rng& r, uint64_t lo, uint64_t hi);

// Fills n sizes with one of the named shapes: uniform | inverse-square |
// linear-dropoff | skewed | pow2.
std::vector<uint32_t> draw_sizes(Rng& r, size_t n, const std::string& dist, uint64_t lo, uint64_t hi);

// A random permutation of 0..n-1 (Fisher-Yates).
std::vector<uint32_t> permutation(Rng& r, size_t n);

}  // namespace allocscope
