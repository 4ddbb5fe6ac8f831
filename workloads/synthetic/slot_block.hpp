// The slot-replacement step shared by the synthetic workloads: free what a
// slot holds, allocate a new block into it, write it. One op per replacement;
// a sampled replacement's latency covers the free and the malloc.
#pragma once

#include <cstdlib>
#include <vector>

#include "allocscope/alloc_ops.hpp"
#include "allocscope/exit_codes.hpp"
#include "allocscope/thread_stats.hpp"
#include "allocscope/workload.hpp"

namespace allocscope::synthetic {

inline void replace_block(ThreadStats& st, Block& b, size_t size, unsigned char fill) {
  const bool timed = st.sample();
  auto t0 = timed ? ThreadStats::now() : std::chrono::steady_clock::time_point{};
  if (b.p) {
    st.on_free(b.p, b.size);
    std::free(b.p);
  }
  b.p = std::malloc(size);
  if (timed) st.record(t0);
  if (!b.p) out_of_memory();
  b.size = size;
  st.on_alloc(b.p, size);
  touch(b.p, size, fill);
  st.add_ops();
}

}  // namespace allocscope::synthetic
