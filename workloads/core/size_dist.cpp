#include "allocscope/size_dist.hpp"

#include <cmath>
#include <numeric>
#include <utility>

namespace allocscope {

uint64_t size_inverse_square(Rng& r, uint64_t lo, uint64_t hi) {
  // CDF F(s) = (1/lo - 1/s) / (1/lo - 1/hi)  =>  s = 1 / (1/lo - u (1/lo - 1/hi)).
  const double a = 1.0 / static_cast<double>(lo), b = 1.0 / static_cast<double>(hi);
  const double s = 1.0 / (a - r.unit() * (a - b));
  uint64_t v = static_cast<uint64_t>(s);
  return v < lo ? lo : v > hi ? hi : v;
}

uint64_t size_linear_dropoff(Rng& r, uint64_t lo, uint64_t hi) {
  // Density 2(1-x) on [0,1]: x = 1 - sqrt(1-u).
  const double x = 1.0 - std::sqrt(1.0 - r.unit());
  return lo + static_cast<uint64_t>(x * static_cast<double>(hi - lo));
}

uint64_t size_skewed(Rng& r, uint64_t lo, uint64_t hi, double k) {
  return lo + static_cast<uint64_t>(std::pow(r.unit(), k) * static_cast<double>(hi - lo));
}

uint64_t size_pow2_rare_large(Rng& r, uint64_t lo, uint64_t hi) {
  int e_lo = 0, e_hi = 0;
  while ((1ULL << e_lo) < lo) ++e_lo;
  while ((2ULL << e_hi) <= hi) ++e_hi;
  if (e_hi < e_lo) e_hi = e_lo;
  uint64_t s = 1ULL << r.uniform(static_cast<uint64_t>(e_lo), static_cast<uint64_t>(e_hi));
  const uint64_t roll = r.uniform(0, 9999);
  if (roll == 0)
    s *= 10000;
  else if (roll < 10)
    s *= 1000;
  else if (roll < 100)
    s *= 100;
  return s;
}

std::vector<uint32_t> draw_sizes(Rng& r, size_t n, const std::string& dist, uint64_t lo, uint64_t hi) {
  std::vector<uint32_t> out(n);
  for (auto& s : out) {
    uint64_t v = dist == "inverse-square"   ? size_inverse_square(r, lo, hi)
                 : dist == "linear-dropoff" ? size_linear_dropoff(r, lo, hi)
                 : dist == "skewed"         ? size_skewed(r, lo, hi, 3.0)
                 : dist == "pow2"           ? size_pow2_rare_large(r, lo, hi)
                                            : size_uniform(r, lo, hi);
    s = static_cast<uint32_t>(v);
  }
  return out;
}

std::vector<uint32_t> permutation(Rng& r, size_t n) {
  std::vector<uint32_t> p(n);
  std::iota(p.begin(), p.end(), 0u);
  for (size_t i = n; i > 1; --i) std::swap(p[i - 1], p[r.uniform(0, i - 1)]);
  return p;
}

}  // namespace allocscope
