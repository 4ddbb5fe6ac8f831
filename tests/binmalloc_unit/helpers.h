// Shared helpers of binmalloc's unit tests.
#pragma once

#include <binmalloc.h>

#include <cstddef>
#include <cstdint>

namespace bmtest {

// Counter deltas since construction (or the last reset()).
class Counters {
 public:
  Counters() { reset(); }
  void reset() { binmalloc_stats_ex(&base_); }
  binmalloc_stats_t delta() const;
  static binmalloc_stats_t now() {
    binmalloc_stats_t s;
    binmalloc_stats_ex(&s);
    return s;
  }

 private:
  binmalloc_stats_t base_;
};

// A working set of n chunks of `size` bytes, freed and allocated again
// `rounds` times, then freed: more chunks than a fixed cache bin holds cycle
// through it, so the bin deepens.
void cycle(size_t size, size_t n, int rounds);

// Grows the calling thread's heap by about `bytes` and leaves that room
// free below a pinned block (returned, for the caller to free), so that what
// follows is served without growing the heap: a malloc that would grow it
// first empties the cache's deepened bins (malloc.c), which would undo the
// depths a test builds up.
void *make_room(size_t bytes);

// Number of resident pages in [p, p+len) (page-aligned inward).
size_t resident_pages(const void *p, size_t len);

// Deterministic fill/check pattern derived from an id.
void fill_pattern(void *p, size_t n, uint32_t id);
bool check_pattern(const void *p, size_t n, uint32_t id);

}  // namespace bmtest
