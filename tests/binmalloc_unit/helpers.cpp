#include "tests/binmalloc_unit/helpers.h"

#include <sys/mman.h>
#include <unistd.h>

#include <vector>

namespace bmtest {

binmalloc_stats_t Counters::delta() const {
  binmalloc_stats_t cur = now();
  binmalloc_stats_t d = cur;
  // Only the counter fields (everything before mmap_threshold) are deltas.
  const size_t n = offsetof(binmalloc_stats_t, mmap_threshold) / sizeof(uint64_t);
  auto *dp = reinterpret_cast<uint64_t *>(&d);
  auto *bp = reinterpret_cast<const uint64_t *>(&base_);
  for (size_t i = 0; i < n; i++) dp[i] -= bp[i];
  return d;
}

void cycle(size_t size, size_t n, int rounds) {
  std::vector<void *> v(n);
  for (auto &p : v) p = binmalloc_malloc(size);
  for (int r = 0; r < rounds; r++) {
    for (auto &p : v) binmalloc_free(p);
    for (auto &p : v) p = binmalloc_malloc(size);
  }
  for (auto &p : v) binmalloc_free(p);
}

void *make_room(size_t bytes) {
  constexpr size_t kBlock = 32 * 1024;  // below any mmap threshold
  std::vector<void *> v(bytes / kBlock + 1);
  for (auto &p : v) p = binmalloc_malloc(kBlock);
  for (size_t i = 0; i + 1 < v.size(); i++) binmalloc_free(v[i]);
  return v.back();
}

size_t resident_pages(const void *p, size_t len) {
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  uintptr_t start = (reinterpret_cast<uintptr_t>(p) + page - 1) & ~(page - 1);
  uintptr_t end = (reinterpret_cast<uintptr_t>(p) + len) & ~(page - 1);
  if (end <= start) return 0;
  std::vector<unsigned char> vec((end - start) / page);
  if (mincore(reinterpret_cast<void *>(start), end - start, vec.data()) != 0) return SIZE_MAX;
  size_t n = 0;
  for (unsigned char c : vec) n += c & 1;
  return n;
}

static inline uint8_t pat(uint32_t id, size_t i) {
  return static_cast<uint8_t>(id * 2654435761u + i * 31 + (i >> 8));
}

void fill_pattern(void *p, size_t n, uint32_t id) {
  auto *b = static_cast<uint8_t *>(p);
  for (size_t i = 0; i < n; i++) b[i] = pat(id, i);
}

bool check_pattern(const void *p, size_t n, uint32_t id) {
  auto *b = static_cast<const uint8_t *>(p);
  for (size_t i = 0; i < n; i++)
    if (b[i] != pat(id, i)) return false;
  return true;
}

}  // namespace bmtest
