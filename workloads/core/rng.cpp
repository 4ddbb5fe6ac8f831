#include "allocscope/rng.hpp"

namespace allocscope {

std::vector<uint32_t> uniform_sizes(Rng& rng, size_t n, uint64_t lo, uint64_t hi) {
  std::vector<uint32_t> out(n);
  for (auto& s : out) s = static_cast<uint32_t>(rng.uniform(lo, hi));
  return out;
}

}  // namespace allocscope
