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

// Number of resident pages in [p, p+len) (page-aligned inward).
size_t resident_pages(const void *p, size_t len);

// Deterministic fill/check pattern derived from an id.
void fill_pattern(void *p, size_t n, uint32_t id);
bool check_pattern(const void *p, size_t n, uint32_t id);

}  // namespace bmtest
