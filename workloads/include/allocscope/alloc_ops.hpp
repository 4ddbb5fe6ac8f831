// Accounted, optionally timed allocator calls for workloads. Every call is one
// op (ThreadStats::add_ops), live bytes are tracked exactly, a sampled call's
// latency is recorded (`--latency-every N`), and a NULL result from an
// allocation ends the job as "oom". Convention for the whole catalog:
// ops = number of allocator calls (malloc, calloc, realloc, aligned, free).
#pragma once

#include <stdlib.h>

#include <cstddef>
#include <cstdlib>
#include <vector>

#include "allocscope/exit_codes.hpp"
#include "allocscope/thread_stats.hpp"
#include "allocscope/workload.hpp"

namespace allocscope {

namespace detail {
template <class F>
inline auto timed_call(ThreadStats& st, F&& f) {
  if (!st.sample()) return f();
  auto t = ThreadStats::now();
  auto r = f();
  st.record(t);
  return r;
}
}  // namespace detail

inline void* a_malloc(ThreadStats& st, size_t n) {
  void* p = detail::timed_call(st, [&] { return std::malloc(n); });
  if (!p) out_of_memory();
  st.on_alloc(p, n);
  st.add_ops();
  return p;
}

inline void* a_calloc(ThreadStats& st, size_t count, size_t n) {
  void* p = detail::timed_call(st, [&] { return std::calloc(count, n); });
  if (!p) out_of_memory();
  st.on_alloc(p, count * n);
  st.add_ops();
  return p;
}

inline void* a_aligned(ThreadStats& st, size_t align, size_t n) {
  void* p = detail::timed_call(st, [&] {
    void* q = nullptr;
    return posix_memalign(&q, align, n) == 0 ? q : nullptr;
  });
  if (!p) out_of_memory();
  st.on_alloc(p, n);
  st.add_ops();
  return p;
}

// realloc of a block of `old_n` bytes (p may be NULL) to `n` bytes.
inline void* a_realloc(ThreadStats& st, void* p, size_t old_n, size_t n) {
  if (p) st.on_free(p, old_n);
  void* q = detail::timed_call(st, [&] { return std::realloc(p, n); });
  if (!q) out_of_memory();
  st.on_alloc(q, n);
  st.add_ops();
  return q;
}

inline void a_free(ThreadStats& st, void* p, size_t n) {
  if (!p) return;
  st.on_free(p, n);
  detail::timed_call(st, [&] {
    std::free(p);
    return 0;
  });
  st.add_ops();
}

// Set-up and tear-down allocations (prepare()/finish()): accounted in live
// bytes, neither counted as ops nor timed.
inline void* setup_malloc(ThreadStats& st, size_t n) {
  void* p = std::malloc(n);
  if (!p) out_of_memory();
  st.on_alloc(p, n);
  return p;
}
inline void setup_free(ThreadStats& st, void* p, size_t n) {
  if (!p) return;
  st.on_free(p, n);
  std::free(p);
}

// A block and its requested size, for working sets held in slots.
struct Block {
  void* p = nullptr;
  size_t size = 0;
};

// Allocates `size` bytes into an empty slot and writes them with `fill`.
inline void alloc_block(ThreadStats& st, Block& b, size_t size, unsigned char fill) {
  b.size = size;
  b.p = a_malloc(st, size);
  touch(b.p, size, fill);
}

inline void free_block(ThreadStats& st, Block& b) {
  a_free(st, b.p, b.size);
  b = Block{};
}

// Tear-down: frees every block still held (not an op, not timed).
inline void free_blocks(ThreadStats& st, std::vector<Block>& blocks) {
  for (Block& b : blocks) {
    setup_free(st, b.p, b.size);
    b = Block{};
  }
}

}  // namespace allocscope
