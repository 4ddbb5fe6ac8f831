// System memory: heap growth, direct mmap, the dynamic threshold, trimming,
// malloc_trim page release, realloc in place and with mremap.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <thread>
#include <vector>

#include "tests/binmalloc_unit/helpers.h"

using bmtest::Counters;

namespace {

const size_t kPage = static_cast<size_t>(sysconf(_SC_PAGESIZE));

TEST(System, StaticBuildUsesPseudoBrk) {
  EXPECT_EQ(binmalloc_main_uses_brk(), 0);
}

TEST(System, SysmallocGrowsTheHeap) {
  Counters c;
  std::vector<void *> v;
  for (int i = 0; i < 30; i++) v.push_back(binmalloc_malloc(100000));  // below the mmap threshold
  auto d = c.delta();
  EXPECT_GE(d.sysmalloc_calls, 1u);
  EXPECT_GE(d.heap_grows, 1u);
  EXPECT_EQ(d.mmap_chunks, 0u);
  EXPECT_GE(Counters::now().main_system_bytes, 30u * 100000);
  EXPECT_EQ(binmalloc_check_heap(), 0);
  for (void *p : v) binmalloc_free(p);
  EXPECT_EQ(binmalloc_check_heap(), 0);
}

TEST(System, DirectMmapAboveThreshold) {
  Counters c;
  size_t before = Counters::now().mmapped_chunks_live;
  void *p = binmalloc_malloc(1 << 20);
  ASSERT_NE(p, nullptr);
  if (Counters::now().mmap_threshold > (1u << 20)) GTEST_SKIP() << "threshold raised by an earlier test";
  EXPECT_EQ(c.delta().mmap_chunks, 1u);
  EXPECT_EQ(Counters::now().mmapped_chunks_live, before + 1);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 16, 0u);
  // page-rounded chunk, usable = chunk size - 16
  EXPECT_EQ(binmalloc_malloc_usable_size(p), ((1u << 20) + 8 + kPage - 1) / kPage * kPage - 16);
  memset(p, 0x5a, 1 << 20);
  void *z = binmalloc_calloc(1, 1 << 20);  // fresh mmapped memory, no memset needed
  for (size_t i = 0; i < (1u << 20); i += 4096) ASSERT_EQ(static_cast<char *>(z)[i], 0);
  binmalloc_free(z);
  EXPECT_EQ(binmalloc_check_heap(), 0);
  binmalloc_free(p);
  EXPECT_EQ(c.delta().munmap_chunks, 2u);
}

TEST(System, DynamicThresholdRaise) {
  EXPECT_EXIT(
      {
        binmalloc_stats_t s0 = Counters::now();
        if (s0.mmap_threshold < 128 * 1024) _exit(10);
        const size_t req = s0.mmap_threshold + (1 << 20);  // above the current threshold
        void *p = binmalloc_malloc(req);
        size_t chunk = binmalloc_malloc_usable_size(p) + 16;
        binmalloc_free(p);
        binmalloc_stats_t s1 = Counters::now();
        if (s1.mmap_threshold != chunk) _exit(11);
        if (s1.trim_threshold != 2 * chunk) _exit(12);
        // The same size is now served from the heap.
        Counters c;
        void *q = binmalloc_malloc(req);
        if (c.delta().mmap_chunks != 0) _exit(13);
        binmalloc_free(q);
        // Above 32 MiB the threshold stays put.
        void *huge = binmalloc_malloc(40u << 20);
        binmalloc_free(huge);
        if (Counters::now().mmap_threshold != chunk) _exit(14);
        binmalloc_check_heap();
        _exit(0);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST(System, MalloptDisablesDynamicThreshold) {
  EXPECT_EXIT(
      {
        if (binmalloc_mallopt(BINMALLOC_M_MMAP_THRESHOLD, 256 * 1024) != 1) _exit(10);
        void *p = binmalloc_malloc(1 << 20);
        binmalloc_free(p);
        if (Counters::now().mmap_threshold != 256 * 1024) _exit(11);
        if (binmalloc_mallopt(BINMALLOC_M_MMAP_THRESHOLD, 64 << 20) != 0) _exit(12);  // above 32 MiB
        _exit(0);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST(System, CallocOfFreshTopDoesNotTouchPages) {
  binmalloc_tcache_flush();
  binmalloc_malloc_trim(0);
  const size_t n = 120000;  // below the mmap threshold, above what top holds
  binmalloc_stats_t s = Counters::now();
  if (s.main_top_size > n) GTEST_SKIP() << "top already large";
  Counters c;
  auto *p = static_cast<unsigned char *>(binmalloc_calloc(1, n));
  ASSERT_NE(p, nullptr);
  EXPECT_GE(c.delta().sysmalloc_calls, 1u);
  EXPECT_LT(bmtest::resident_pages(p, n), n / kPage / 2);  // fresh pages left untouched
  for (size_t i = 0; i < n; i++) ASSERT_EQ(p[i], 0);
  binmalloc_free(p);
}

TEST(System, TrimAfterFreeingTop) {
  binmalloc_tcache_flush();
  std::vector<void *> v;
  for (int i = 0; i < 40; i++) v.push_back(binmalloc_malloc(100000));
  size_t grown = Counters::now().main_system_bytes;
  Counters c;
  for (auto it = v.rbegin(); it != v.rend(); ++it) binmalloc_free(*it);
  auto d = c.delta();
  binmalloc_stats_t s = Counters::now();
  EXPECT_GE(d.trims, 1u);
  // All of it goes back but what top may keep: the trim threshold (which
  // earlier frees of mmapped chunks may have raised) plus the pad.
  EXPECT_GE(d.trimmed_bytes, 40 * 100000 - s.trim_threshold - s.top_pad - 2 * kPage);
  EXPECT_LT(s.main_system_bytes, grown);
  // Top keeps at most trim threshold + a page after trimming.
  EXPECT_LE(s.main_top_size, s.trim_threshold + s.top_pad + kPage);
  EXPECT_EQ(binmalloc_check_heap(), 0);
}

TEST(System, MallocTrimReleasesPagesInsideFreeChunks) {
  binmalloc_tcache_flush();
  const size_t n = 64 * 1024;
  std::vector<void *> v;
  for (int i = 0; i < 16; i++) {
    v.push_back(binmalloc_malloc(n));
    memset(v.back(), 1, n);
  }
  void *pin = binmalloc_malloc(16);  // keeps the freed memory away from top
  char *lo = static_cast<char *>(v.front());
  size_t span = static_cast<char *>(v.back()) + n - lo;
  for (void *p : v) binmalloc_free(p);
  size_t before = bmtest::resident_pages(lo, span);
  EXPECT_GT(before, span / kPage / 2);
  Counters c;
  EXPECT_EQ(binmalloc_malloc_trim(0), 1);
  size_t after = bmtest::resident_pages(lo, span);
  EXPECT_LT(after, 4u);
  EXPECT_GE(c.delta().madvised_bytes, span - 4 * kPage);
  EXPECT_EQ(binmalloc_check_heap(), 0);
  // The memory is usable again.
  void *again = binmalloc_malloc(n);
  memset(again, 2, n);
  binmalloc_free(again);
  binmalloc_free(pin);
  EXPECT_EQ(binmalloc_check_heap(), 0);
}

TEST(System, ReallocInPlaceIntoTopAndShrink) {
  binmalloc_tcache_flush();
  void *sorter = binmalloc_malloc(70000);
  char *p = static_cast<char *>(binmalloc_malloc(2000));  // from top: top follows it
  bmtest::fill_pattern(p, 2000, 7);
  Counters c;
  char *q = static_cast<char *>(binmalloc_realloc(p, 6000));
  EXPECT_EQ(q, p);
  EXPECT_TRUE(bmtest::check_pattern(q, 2000, 7));
  char *r = static_cast<char *>(binmalloc_realloc(q, 1000));
  EXPECT_EQ(r, p);
  EXPECT_TRUE(bmtest::check_pattern(r, 1000, 7));
  EXPECT_EQ(c.delta().realloc_inplace, 2u);
  EXPECT_EQ(binmalloc_check_heap(), 0);
  binmalloc_free(r);
  binmalloc_free(sorter);
}

// The chunk below top grows past top's end: top grows from the system and the
// chunk grows into it, no copy, and the break moves a logarithmic number of
// times (top grows by the whole request, as a malloc of it would).
TEST(System, ReallocGrowsPastTopWithoutCopy) {
  ASSERT_EQ(binmalloc_mallopt(BINMALLOC_M_TOP_PAD, 0), 1);
  ASSERT_EQ(binmalloc_mallopt(BINMALLOC_M_MMAP_THRESHOLD, 1 << 20), 1);
  binmalloc_tcache_flush();
  size_t top = Counters::now().main_top_size;
  void *filler = top > 8192 ? binmalloc_malloc(top - 8192) : nullptr;  // leaves a small top
  size_t n = 2000;
  char *p = static_cast<char *>(binmalloc_malloc(n));  // from top: top follows it
  bmtest::fill_pattern(p, n, 11);
  Counters c;
  for (; n <= 600000; n += 16) {
    char *q = static_cast<char *>(binmalloc_realloc(p, n));
    ASSERT_EQ(q, p) << "moved at " << n << " bytes";
  }
  auto d = c.delta();
  EXPECT_GE(d.heap_grows, 3u);   // it went past top's end several times
  EXPECT_LE(d.heap_grows, 12u);  // about log2(600000 / 8192) with page rounding
  EXPECT_TRUE(bmtest::check_pattern(p, 2000, 11));
  EXPECT_EQ(binmalloc_check_heap(), 0);
  binmalloc_free(p);
  binmalloc_free(filler);
}

TEST(System, ReallocGrowsIntoFreeNeighbour) {
  binmalloc_tcache_flush();
  char *a = static_cast<char *>(binmalloc_malloc(2000));
  char *b = static_cast<char *>(binmalloc_malloc(3000));
  void *guard = binmalloc_malloc(16);
  binmalloc_free(b);
  bmtest::fill_pattern(a, 2000, 9);
  Counters c;
  char *q = static_cast<char *>(binmalloc_realloc(a, 4500));
  EXPECT_EQ(q, a);
  EXPECT_EQ(c.delta().realloc_inplace, 1u);
  EXPECT_TRUE(bmtest::check_pattern(q, 2000, 9));
  EXPECT_EQ(binmalloc_check_heap(), 0);
  binmalloc_free(q);
  binmalloc_free(guard);
}

TEST(System, ReallocMmappedUsesMremap) {
  Counters c;
  // Above 32 MiB (the highest dynamic threshold) a request is always mmapped.
  char *p = static_cast<char *>(binmalloc_malloc(33 << 20));
  bmtest::fill_pattern(p, 1 << 20, 3);
  char *q = static_cast<char *>(binmalloc_realloc(p, 40 << 20));
  ASSERT_NE(q, nullptr);
  EXPECT_GE(c.delta().mremap_calls, 1u);
  EXPECT_TRUE(bmtest::check_pattern(q, 1 << 20, 3));
  char *r = static_cast<char *>(binmalloc_realloc(q, 300000));
  EXPECT_TRUE(bmtest::check_pattern(r, 300000, 3));
  binmalloc_free(r);
  EXPECT_EQ(binmalloc_check_heap(), 0);
}

// A thread arena grows past one 64 MiB heap, then gives the heaps back.
TEST(System, NonMainArenaHeapsGrowAndShrink) {
  std::thread t([] {
    binmalloc_free(binmalloc_malloc(16));  // attach to an arena
    std::vector<void *> v;
    for (int i = 0; i < 1500; i++) {  // ~150 MB: three heaps
      v.push_back(binmalloc_malloc(100000));
      memset(v.back(), i, 64);
    }
    ASSERT_EQ(binmalloc_check_heap(), 0);
    // Free the front half first (coalesced in bins), then the rest (top).
    for (size_t i = 0; i < v.size() / 2; i++) binmalloc_free(v[i]);
    ASSERT_EQ(binmalloc_check_heap(), 0);
    Counters c;
    for (size_t i = v.size(); i-- > v.size() / 2;) binmalloc_free(v[i]);
    EXPECT_GE(c.delta().trims, 1u);
    ASSERT_EQ(binmalloc_check_heap(), 0);
    // Memory is reusable afterwards.
    for (int i = 0; i < 300; i++) v[i] = binmalloc_malloc(200000 + i);
    ASSERT_EQ(binmalloc_check_heap(), 0);
    for (int i = 0; i < 300; i++) binmalloc_free(v[i]);
    binmalloc_malloc_trim(0);
    ASSERT_EQ(binmalloc_check_heap(), 0);
  });
  t.join();
  struct binmalloc_mallinfo2 mi = binmalloc_mallinfo2();
  EXPECT_LT(mi.arena, 64u << 20);  // the extra heaps are gone
}

TEST(System, ArenaPerThreadAndReuse) {
  std::vector<void *> from_threads(4);
  binmalloc_stats_t before = Counters::now();
  for (int round = 0; round < 3; round++) {
    std::vector<std::thread> ts;
    for (int i = 0; i < 4; i++)
      ts.emplace_back([&, i] {
        void *p = binmalloc_malloc(5000);
        memset(p, i, 5000);
        binmalloc_free(from_threads[i]);  // free of a chunk owned by another arena (maybe)
        from_threads[i] = p;
      });
    for (auto &t : ts) t.join();
  }
  binmalloc_stats_t after = Counters::now();
  // Exited threads' arenas are reused: at most 4 new arenas over 3 rounds.
  EXPECT_LE(after.narenas, before.narenas + 4);
  for (void *p : from_threads) binmalloc_free(p);
  EXPECT_EQ(binmalloc_check_heap(), 0);
}

}  // namespace
