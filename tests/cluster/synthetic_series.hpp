// Deterministic synthetic benchmark series for the change-point tests: a
// level per segment times lognormal noise of a given coefficient of variation.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

namespace cluster_test {

// segments: (length, level); cv: noise as a coefficient of variation.
inline std::vector<double> synthetic_series(const std::vector<std::pair<int, double>>& segments, double cv,
                                            uint64_t seed) {
  std::mt19937_64 rng(seed);
  const double sigma = std::sqrt(std::log(1 + cv * cv));
  std::vector<double> out;
  for (auto [len, level] : segments)
    for (int i = 0; i < len; ++i) {
      // Box-Muller on the raw engine: the same numbers on every standard library
      double u1 = (static_cast<double>(rng() >> 11) + 0.5) / 9007199254740992.0;
      double u2 = static_cast<double>(rng() >> 11) / 9007199254740992.0;
      double z = std::sqrt(-2 * std::log(u1)) * std::cos(2 * M_PI * u2);
      out.push_back(level * std::exp(sigma * z - sigma * sigma / 2));
    }
  return out;
}

}  // namespace cluster_test
