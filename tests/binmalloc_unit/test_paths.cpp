// Which bin serves a request: tcache, fastbins, small/large bins, unsorted
// (last_remainder), binmap scan, top.  Each test asserts the path counters.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include "tests/binmalloc_unit/helpers.h"

using bmtest::Counters;

namespace {

// Sorts whatever sits in the unsorted bin into small/large bins and leaves a
// large block live (caller frees it).
void *sort_unsorted() {
  return binmalloc_malloc(70000);
}

TEST(Paths, TcacheHitReturnsSameChunk) {
  void *p = binmalloc_malloc(100);
  ASSERT_NE(p, nullptr);
  binmalloc_free(p);
  Counters c;
  void *q = binmalloc_malloc(100);
  EXPECT_EQ(p, q);
  EXPECT_EQ(c.delta().tcache_hits, 1u);
  binmalloc_free(q);
  EXPECT_EQ(c.delta().tcache_frees, 1u);
  EXPECT_EQ(binmalloc_check_heap(), 0);
}

TEST(Paths, FastbinHitAfterTcacheFull) {
  binmalloc_tcache_flush();
  void *warm = binmalloc_malloc(40);  // make sure the tcache exists
  std::vector<void *> v;
  for (int i = 0; i < 10; i++) v.push_back(binmalloc_malloc(40));
  Counters c;
  for (void *p : v) binmalloc_free(p);
  auto d = c.delta();
  EXPECT_EQ(d.tcache_frees, 7u);
  EXPECT_EQ(d.fastbin_frees, 3u);
  EXPECT_EQ(binmalloc_check_heap(), 0);
  c.reset();
  for (int i = 0; i < 7; i++) v[i] = binmalloc_malloc(40);
  EXPECT_EQ(c.delta().tcache_hits, 7u);
  v[7] = binmalloc_malloc(40);
  d = c.delta();
  EXPECT_EQ(d.fastbin_hits, 1u);
  // The two other fastbin chunks of that size moved into the tcache.
  v[8] = binmalloc_malloc(40);
  v[9] = binmalloc_malloc(40);
  EXPECT_EQ(c.delta().tcache_hits, 9u);
  for (void *p : v) binmalloc_free(p);
  binmalloc_free(warm);
  EXPECT_EQ(binmalloc_check_heap(), 0);
}

TEST(Paths, LargeRequestConsolidatesFastbins) {
  binmalloc_tcache_flush();
  std::vector<void *> v, guards;
  for (int i = 0; i < 12; i++) v.push_back(binmalloc_malloc(56));
  for (void *p : v) binmalloc_free(p);  // 7 to tcache, 5 to the fastbin
  binmalloc_tcache_flush();             // the 7 go to the fastbin too
  EXPECT_EQ(binmalloc_check_heap(), 0);
  Counters c;
  void *big = binmalloc_malloc(5000);
  EXPECT_GE(c.delta().consolidations, 1u);
  EXPECT_EQ(binmalloc_check_heap(), 0);
  binmalloc_free(big);
  binmalloc_mallinfo2();
}

TEST(Paths, UnsortedLastRemainderSplit) {
  binmalloc_tcache_flush();
  void *big = binmalloc_malloc(3000);
  void *guard = binmalloc_malloc(16);
  void *sorter = sort_unsorted();
  binmalloc_free(big);  // -> unsorted bin
  Counters c;
  // The first small request finds no small chunk: the big chunk is sorted into
  // its large bin and found by the binmap scan; its remainder becomes last_remainder.
  char *a = static_cast<char *>(binmalloc_malloc(200));
  auto d = c.delta();
  EXPECT_EQ(d.binmap_hits, 1u);
  EXPECT_EQ(a, big);
  // The second one splits the lone last_remainder in the unsorted bin.
  char *b = static_cast<char *>(binmalloc_malloc(200));
  d = c.delta();
  EXPECT_EQ(d.last_remainder_hits, 1u);
  EXPECT_EQ(b, a + 208);
  EXPECT_EQ(binmalloc_check_heap(), 0);
  binmalloc_free(a);
  binmalloc_free(b);
  binmalloc_free(guard);
  binmalloc_free(sorter);
  EXPECT_EQ(binmalloc_check_heap(), 0);
}

// malloc(n) between two live 16-byte guards, adjacent on both sides, so that
// freeing it cannot coalesce whatever earlier tests left in the heap (cached
// small chunks elsewhere serve the guards first; those tries stay allocated in
// pad until the caller frees them).
void *alloc_between_guards(size_t n, std::vector<void *> &guards, std::vector<void *> &pad) {
  for (int i = 0; i < 100000; i++) {
    void *g0 = binmalloc_malloc(16), *p = binmalloc_malloc(n), *g1 = binmalloc_malloc(16);
    auto after = [](void *m) { return static_cast<char *>(m) + binmalloc_malloc_usable_size(m) + sizeof(size_t); };
    if (after(g0) == p && after(p) == g1) {
      guards.push_back(g0);
      guards.push_back(g1);
      return p;
    }
    for (void *x : {g0, p, g1}) pad.push_back(x);
  }
  return nullptr;
}

TEST(Paths, SmallBinExactFit) {
  binmalloc_tcache_flush();
  std::vector<void *> v, guards, pad;
  for (int i = 0; i < 10; i++) {
    v.push_back(alloc_between_guards(500, guards, pad));
    ASSERT_NE(v.back(), nullptr);
  }
  for (void *p : v) binmalloc_free(p);  // 7 to the tcache, 3 to the unsorted bin
  void *sorter = sort_unsorted();       // the 3 go to small bin 32
  EXPECT_EQ(binmalloc_check_heap(), 0);
  std::vector<void *> got;
  for (int i = 0; i < 7; i++) got.push_back(binmalloc_malloc(500));  // drain the tcache
  Counters c;
  got.push_back(binmalloc_malloc(500));
  auto d = c.delta();
  EXPECT_EQ(d.smallbin_hits, 1u);
  EXPECT_EQ(d.tcache_hits, 0u);
  for (void *p : got) binmalloc_free(p);
  for (void *p : guards) binmalloc_free(p);
  for (void *p : pad) binmalloc_free(p);
  binmalloc_free(sorter);
  EXPECT_EQ(binmalloc_check_heap(), 0);
}

TEST(Paths, UnsortedExactFit) {
  binmalloc_tcache_flush();
  void *p = binmalloc_malloc(1500);  // above the tcache range
  void *guard = binmalloc_malloc(16);
  void *sorter = sort_unsorted();
  binmalloc_free(p);
  Counters c;
  void *q = binmalloc_malloc(1500);
  EXPECT_EQ(q, p);
  EXPECT_EQ(c.delta().unsorted_hits, 1u);
  binmalloc_free(q);
  binmalloc_free(guard);
  binmalloc_free(sorter);
  EXPECT_EQ(binmalloc_check_heap(), 0);
}

TEST(Paths, LargeBinBestFit) {
  binmalloc_tcache_flush();
  // Three chunks of one large bin (4 KiB spacing), separated by guards.
  size_t sizes[] = {13000, 12000, 12500};
  void *p[3], *g[3];
  for (int i = 0; i < 3; i++) {
    p[i] = binmalloc_malloc(sizes[i]);
    g[i] = binmalloc_malloc(16);
  }
  for (void *x : p) binmalloc_free(x);
  void *sorter = sort_unsorted();
  EXPECT_EQ(binmalloc_check_heap(), 0);
  Counters c;
  void *q = binmalloc_malloc(12400);  // best fit: the 12500 chunk
  EXPECT_EQ(q, p[2]);
  EXPECT_EQ(c.delta().largebin_hits, 1u);
  void *r = binmalloc_malloc(11990);  // now the 12000 one
  EXPECT_EQ(r, p[1]);
  EXPECT_EQ(binmalloc_check_heap(), 0);
  binmalloc_free(q);
  binmalloc_free(r);
  for (void *x : g) binmalloc_free(x);
  binmalloc_free(sorter);
  EXPECT_EQ(binmalloc_check_heap(), 0);
}

TEST(Paths, LargeBinSameSizeKeepsSkipList) {
  binmalloc_tcache_flush();
  std::vector<void *> v, g;
  for (int i = 0; i < 6; i++) {
    v.push_back(binmalloc_malloc(i % 2 ? 20000 : 21000));
    g.push_back(binmalloc_malloc(16));
  }
  for (void *x : v) binmalloc_free(x);
  void *sorter = sort_unsorted();
  EXPECT_EQ(binmalloc_check_heap(), 0);
  std::vector<void *> got;
  for (int i = 0; i < 6; i++) {
    got.push_back(binmalloc_malloc(i < 3 ? 20000 : 21000));
    EXPECT_EQ(binmalloc_check_heap(), 0);
  }
  for (void *x : got) binmalloc_free(x);
  for (void *x : g) binmalloc_free(x);
  binmalloc_free(sorter);
  EXPECT_EQ(binmalloc_check_heap(), 0);
}

// A large bin with many sizes: the sorted insert and the best-fit search walk
// the size ring from whichever end is nearer, and must find the same place
// either way.
TEST(Paths, LargeBinWalksFromEitherEnd) {
  binmalloc_tcache_flush();
  // 24 distinct chunk sizes in the 4 KiB-wide bin [12288, 16384), two of them
  // twice, freed in a shuffled order so that inserts land at both ends, in
  // the middle and next to an equal size.
  std::vector<size_t> sizes;
  for (int i = 0; i < 24; i++) sizes.push_back(12300 + 160 * static_cast<size_t>(i));
  sizes.push_back(sizes[3]);
  sizes.push_back(sizes[20]);
  std::mt19937 rng(7);
  std::shuffle(sizes.begin(), sizes.end(), rng);
  std::vector<void *> p, g;
  for (size_t n : sizes) {
    p.push_back(binmalloc_malloc(n));
    g.push_back(binmalloc_malloc(16));
  }
  std::vector<size_t> csize;  // chunk size of each block (usable + header word)
  for (void *x : p) csize.push_back(binmalloc_malloc_usable_size(x) + sizeof(size_t));
  for (void *x : p) binmalloc_free(x);
  void *sorter = sort_unsorted();
  ASSERT_EQ(binmalloc_check_heap(), 0);
  std::vector<bool> taken(p.size());
  std::vector<void *> got;
  // Requests near the bottom, the middle and the top of the bin.
  for (size_t req : {12310, 15950, 12480, 15700, 14000, 13000, 15300}) {
    size_t need = (req + sizeof(size_t) + 15) & ~static_cast<size_t>(15);
    size_t best = SIZE_MAX;
    for (size_t i = 0; i < p.size(); i++)
      if (!taken[i] && csize[i] >= need && csize[i] < best) best = csize[i];
    Counters c;
    void *q = binmalloc_malloc(req);
    EXPECT_EQ(c.delta().largebin_hits, 1u) << req;
    bool found = false;
    for (size_t i = 0; i < p.size() && !found; i++)
      if (!taken[i] && p[i] == q) {
        EXPECT_EQ(csize[i], best) << "request " << req << " did not get the best fit";
        taken[i] = found = true;
      }
    EXPECT_TRUE(found) << req;
    got.push_back(q);
    ASSERT_EQ(binmalloc_check_heap(), 0);
  }
  for (void *x : got) binmalloc_free(x);
  for (void *x : g) binmalloc_free(x);
  binmalloc_free(sorter);
  EXPECT_EQ(binmalloc_check_heap(), 0);
}

TEST(Paths, BinmapScanFindsLargerBin) {
  binmalloc_tcache_flush();
  void *p = binmalloc_malloc(40000);
  void *guard = binmalloc_malloc(16);
  void *sorter = sort_unsorted();
  binmalloc_free(p);
  void *sorter2 = binmalloc_malloc(90000);  // sorts p into its large bin
  Counters c;
  void *q = binmalloc_malloc(2000);  // its own bin is empty: scan upwards
  EXPECT_EQ(c.delta().binmap_hits, 1u);
  EXPECT_EQ(q, p);
  binmalloc_free(q);
  binmalloc_free(guard);
  binmalloc_free(sorter);
  binmalloc_free(sorter2);
  EXPECT_EQ(binmalloc_check_heap(), 0);
}

TEST(Paths, TopSplit) {
  binmalloc_tcache_flush();
  void *sorter = sort_unsorted();
  binmalloc_stats_t s = Counters::now();
  ASSERT_GT(s.main_top_size, 3000u);
  Counters c;
  void *p = binmalloc_malloc(2500);
  auto d = c.delta();
  EXPECT_EQ(d.top_hits, 1u);
  EXPECT_EQ(d.sysmalloc_calls, 0u);
  binmalloc_free(p);
  binmalloc_free(sorter);
  EXPECT_EQ(binmalloc_check_heap(), 0);
}

}  // namespace
