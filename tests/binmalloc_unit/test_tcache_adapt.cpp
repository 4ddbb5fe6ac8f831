// The adaptive thread cache: bins deepen when a thread cycles through more
// chunks of a size than the bin holds, within a byte budget; cache and
// fastbins keep a stack's order; thread exit, fork and remote frees keep the
// heap exact.
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "helpers.h"

using bmtest::Counters;
using bmtest::cycle;
using bmtest::make_room;

namespace {

constexpr size_t kFixedDepth = 7;

size_t chunk_of(size_t request) {
  return request + 8 <= 32 ? 32 : (request + 8 + 15) & ~size_t{15};
}

// Runs TcacheAdapt.<name> again in a process of its own, this binary started
// with only that test and the variables `env` added, and expects it to pass.
void run_alone(const char *name, std::vector<std::string> env_s) {
  std::string filter = std::string("--gtest_filter=TcacheAdapt.") + name;
  char self[] = "/proc/self/exe";
  char *argv[] = {self, filter.data(), nullptr};
  for (char **e = environ; *e; e++) env_s.emplace_back(*e);
  std::vector<char *> envp;
  for (auto &e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, self, nullptr, nullptr, argv, envp.data()), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "the child's checks failed (its output is above)";
}

}  // namespace

TEST(TcacheAdapt, AHotBinDeepensAndServesTheWorkingSet) {
  binmalloc_tcache_flush();
  cycle(100, 60, 1);  // the bin overflows, then runs dry: hot
  Counters c;
  cycle(100, 60, 6);
  binmalloc_stats_t s = Counters::now();
  EXPECT_GE(s.tcache_grows, 1u);
  EXPECT_GT(s.tcache_grown_bytes, 0u);
  EXPECT_LE(s.tcache_grown_bytes, s.tcache_bytes_budget);
  // 60 chunks now fit the bin: after the first rounds nearly every malloc is a hit.
  auto d = c.delta();
  EXPECT_GT(d.tcache_hits, 6u * 60u * 9 / 10);
  EXPECT_GE(s.tcache_cached_chunks, 60u);
  EXPECT_EQ(binmalloc_check_heap(), 0);
}

TEST(TcacheAdapt, ASizeAboveTcacheMaxStartsUncachedAndOpensWhenHot) {
  // In a thread of its own: its share of requests above the cache starts at
  // zero (TheBinsAboveTcacheMaxGrowWithinHalfTheirBudgetWhileMostRequestsAreLarger).
  std::thread([] {
    binmalloc_tcache_flush();
    binmalloc_stats_t s = Counters::now();
    ASSERT_EQ(s.tcache_max_bytes, 1032u);
    ASSERT_EQ(s.tcache_large_max_bytes, 32760u);
    ASSERT_EQ(s.tcache_cached_chunks, 0u);
    // Frees of a size whose bin never proved hot go to the arena, as in the C library.
    std::vector<void *> v(10);
    for (auto &p : v) p = binmalloc_malloc(2000);
    Counters c;
    for (auto &p : v) binmalloc_free(p);
    EXPECT_EQ(c.delta().tcache_frees, 0u);
    EXPECT_EQ(Counters::now().tcache_cached_chunks, 0u);
    EXPECT_EQ(Counters::now().tcache_grown_bytes, 0u);
    // A malloc then finds the bin empty: hot.  The next free opens it at 2.
    for (auto &p : v) p = binmalloc_malloc(2000);
    for (auto &p : v) binmalloc_free(p);
    s = Counters::now();
    EXPECT_EQ(s.tcache_cached_chunks, 2u);
    EXPECT_EQ(s.tcache_cached_bytes, 2 * chunk_of(2000));
    EXPECT_EQ(s.tcache_grown_bytes, 2 * chunk_of(2000));
    EXPECT_EQ(s.tcache_large_grown_bytes, 2 * chunk_of(2000));  // from the budget of the bins above
    EXPECT_EQ(binmalloc_check_heap(), 0);
    // Cycling the working set of 10 doubles the bin until it holds all of it.
    cycle(2000, 10, 4);
    c.reset();
    cycle(2000, 10, 4);
    EXPECT_EQ(c.delta().tcache_hits, 5u * 10u);  // every malloc of the cycle
    s = Counters::now();
    EXPECT_EQ(s.tcache_cached_chunks, 10u);
    EXPECT_EQ(s.tcache_grown_bytes, 16 * chunk_of(2000));  // 2, 4, 8, 16
    EXPECT_EQ(binmalloc_check_heap(), 0);
    // Sizes above the cache's largest are never cached.
    for (auto &p : v) p = binmalloc_malloc(32761);
    c.reset();
    for (auto &p : v) binmalloc_free(p);
    EXPECT_EQ(c.delta().tcache_frees, 0u);
    binmalloc_tcache_flush();
    EXPECT_EQ(Counters::now().tcache_grown_bytes, 0u);
    EXPECT_EQ(binmalloc_check_heap(), 0);
  }).join();
}

TEST(TcacheAdapt, CallocTakesFromTheBinsAboveTcacheMaxOnly) {
  // In a thread of its own: its share of requests above the cache starts at
  // zero (TheBinsAboveTcacheMaxGrowWithinHalfTheirBudgetWhileMostRequestsAreLarger).
  std::thread([] {
    binmalloc_tcache_flush();
    cycle(3000, 8, 3);  // hot and deepened
    ASSERT_GE(Counters::now().tcache_cached_chunks, 8u);
    auto *p = static_cast<unsigned char *>(binmalloc_malloc(3000));
    std::memset(p, 0xab, binmalloc_malloc_usable_size(p));
    binmalloc_free(p);
    Counters c;
    auto *q = static_cast<unsigned char *>(binmalloc_calloc(1, 3000));
    EXPECT_EQ(q, p);  // the newest cached chunk, cleared
    EXPECT_EQ(c.delta().tcache_hits, 1u);
    for (size_t i = 0; i < binmalloc_malloc_usable_size(q); i++) ASSERT_EQ(q[i], 0) << i;
    binmalloc_free(q);
    // In the C library's own bins calloc leaves the cache alone.
    void *r = binmalloc_malloc(100);
    binmalloc_free(r);
    c.reset();
    void *z = binmalloc_calloc(1, 100);
    EXPECT_EQ(c.delta().tcache_hits, 0u);
    binmalloc_free(z);
    EXPECT_EQ(binmalloc_check_heap(), 0);
    binmalloc_tcache_flush();
  }).join();
}

TEST(TcacheAdapt, AboveFourKiBOneBinServesEachEighthOfADoubling) {
  // Requests of 4105 bytes to 32 KiB are rounded up to one of eight chunk
  // sizes per doubling (4608, 5120, ..., 32768), so that a cached chunk serves
  // any request of its class.  With BINMALLOC_TCACHE_LARGE_MAX=4104 they are not.
  const bool off = std::getenv("BMTEST_CLASSES_OFF_CHILD") != nullptr;
  std::thread([off] {
    binmalloc_tcache_flush();
    void *p = binmalloc_malloc(5000);
    EXPECT_EQ(binmalloc_malloc_usable_size(p), off ? chunk_of(5000) - 8 : 5120u - 8);
    binmalloc_free(p);
    if (off) {
      EXPECT_EQ(Counters::now().tcache_large_max_bytes, 4104u);
      cycle(5000, 8, 3);
      EXPECT_EQ(Counters::now().tcache_cached_chunks, 0u);
      EXPECT_EQ(binmalloc_check_heap(), 0);
      return;
    }
    EXPECT_EQ(binmalloc_malloc_usable_size(p = binmalloc_malloc(32760)), 32760u);
    binmalloc_free(p);
    EXPECT_EQ(binmalloc_malloc_usable_size(p = binmalloc_malloc(8184)), 8184u);  // chunk 8192, the top of its doubling
    binmalloc_free(p);
    EXPECT_EQ(binmalloc_malloc_usable_size(p = binmalloc_malloc(8185)), 9216u - 8);
    binmalloc_free(p);
    cycle(5000, 8, 3);  // hot and deepened
    binmalloc_stats_t s = Counters::now();
    ASSERT_GE(s.tcache_cached_chunks, 8u);
    EXPECT_EQ(s.tcache_cached_bytes, s.tcache_cached_chunks * 5120u);
    EXPECT_EQ(binmalloc_check_heap(), 0);
    // Another size of the class takes the newest cached chunk; calloc clears it whole.
    auto *a = static_cast<unsigned char *>(binmalloc_malloc(5000));
    std::memset(a, 0xab, binmalloc_malloc_usable_size(a));
    binmalloc_free(a);
    Counters c;
    auto *b = static_cast<unsigned char *>(binmalloc_malloc(4700));
    EXPECT_EQ(b, a);
    binmalloc_free(b);
    auto *z = static_cast<unsigned char *>(binmalloc_calloc(1, 4609));
    EXPECT_EQ(z, a);
    EXPECT_EQ(c.delta().tcache_hits, 2u);
    for (size_t i = 0; i < binmalloc_malloc_usable_size(z); i++) ASSERT_EQ(z[i], 0) << i;
    binmalloc_free(z);
    // A chunk of the range that is not its class's size (memalign carves
    // the request's own size) goes to its arena, as a double free of it does.
    c.reset();
    void *m = binmalloc_memalign(4096, 5000);
    EXPECT_EQ(binmalloc_malloc_usable_size(m), chunk_of(5000) - 8);
    binmalloc_free(m);
    EXPECT_EQ(c.delta().tcache_frees, 0u);
    EXPECT_EQ(binmalloc_check_heap(), 0);
    binmalloc_tcache_flush();
    EXPECT_EQ(Counters::now().tcache_cached_chunks, 0u);
  }).join();
  if (!off)
    run_alone("AboveFourKiBOneBinServesEachEighthOfADoubling",
              {"BMTEST_CLASSES_OFF_CHILD=1", "BINMALLOC_TCACHE_LARGE_MAX=4104"});
}

TEST(TcacheAdapt, FixedDepthUntilTheBinIsHot) {
  binmalloc_tcache_flush();
  uint64_t grows_before = Counters::now().tcache_grows;
  // Frees alone (no malloc that finds the bin empty afterwards) never deepen it.
  std::vector<void *> v(50);
  for (auto &p : v) p = binmalloc_malloc(200);
  for (auto &p : v) binmalloc_free(p);
  binmalloc_stats_t s = Counters::now();
  EXPECT_EQ(s.tcache_grows, grows_before);
  EXPECT_EQ(s.tcache_grown_bytes, 0u);
  // 7 in the bin of 200-byte requests (a chunk split with a remainder too
  // small to keep may sit in the next bin up).
  EXPECT_GE(s.tcache_cached_chunks, kFixedDepth);
  EXPECT_LE(s.tcache_cached_chunks, 2 * kFixedDepth);
  EXPECT_EQ(binmalloc_check_heap(), 0);
}

TEST(TcacheAdapt, GrowthStaysWithinTheByteBudgets) {
  binmalloc_tcache_flush();
  void *pin = make_room(24 << 20);  // no growth of the heap takes the cache back on the way
  // Every size the cache serves, each hot, with more chunks than the budgets
  // hold; the bins above glibc's sizes have a budget of their own.
  for (int pass = 0; pass < 6; pass++)
    for (size_t req = 24; req <= 4104; req += 16) cycle(req, req <= 1032 ? 400 : 24, 1);
  binmalloc_stats_t s = Counters::now();
  ASSERT_GT(s.tcache_bytes_budget, 0u);
  ASSERT_GT(s.tcache_large_bytes_budget, 0u);
  // Each part of the cache is held to its own budget, and the last step of
  // growth stops where the budget does: it is used up to less than the
  // largest chunk (doubling alone could leave half of it unused).
  size_t fixed_grown = s.tcache_grown_bytes - s.tcache_large_grown_bytes;
  EXPECT_LE(fixed_grown, s.tcache_bytes_budget);
  EXPECT_GT(fixed_grown + chunk_of(1032), s.tcache_bytes_budget);
  EXPECT_LE(s.tcache_large_grown_bytes, s.tcache_large_bytes_budget);
  EXPECT_GT(s.tcache_large_grown_bytes, s.tcache_large_bytes_budget / 2);
  // Only the bins up to tcache_max start with entries of their own.
  size_t fixed_capacity = 0;
  for (size_t req = 24; req <= 1032; req += 16) fixed_capacity += kFixedDepth * chunk_of(req);
  EXPECT_LE(s.tcache_cached_bytes, fixed_capacity + s.tcache_bytes_budget + s.tcache_large_bytes_budget);
  EXPECT_GT(s.tcache_cached_bytes, 0u);
  EXPECT_EQ(binmalloc_check_heap(), 0);  // also checks both budgets against the bins' depths
  binmalloc_tcache_flush();
  binmalloc_free(pin);
}

// Both budgets are shared by the threads that have a cache: a thread alone
// has all of it, each further thread halves the share, and none has less
// than the floor (BINMALLOC_TCACHE_BYTES and BINMALLOC_TCACHE_LARGE_BYTES,
// 512 KiB each by default).
namespace {
constexpr uint64_t kBudgetFloor = 512 << 10;

uint64_t share_of(uint64_t shared, uint64_t threads) {
  uint64_t share = threads <= 1 ? shared : threads > 64 ? 0 : shared >> (threads - 1);
  return std::max(kBudgetFloor, share);
}
uint64_t share_of(const binmalloc_stats_t &s) {
  return share_of(s.tcache_shared_bytes_budget, s.tcache_threads);
}
uint64_t large_share_of(const binmalloc_stats_t &s) {
  return share_of(s.tcache_large_shared_bytes_budget, s.tcache_threads);
}
}  // namespace

TEST(TcacheAdapt, ThreadsShareTheBudgetOfTheCache) {
  binmalloc_tcache_flush();
  binmalloc_free(binmalloc_malloc(16));  // this thread has a cache
  binmalloc_stats_t alone = Counters::now();
  ASSERT_GE(alone.tcache_threads, 1u);
  ASSERT_GT(alone.tcache_shared_bytes_budget, 2 * kBudgetFloor);
  ASSERT_GT(alone.tcache_large_shared_bytes_budget, 2 * kBudgetFloor);
  EXPECT_EQ(alone.tcache_bytes_budget, share_of(alone));
  EXPECT_EQ(alone.tcache_large_bytes_budget, large_share_of(alone));

  // A second thread with a cache halves the shares; the first keeps them
  // while it runs working sets of 1.1 MB (small chunks) and 0.8 MB (2 KiB
  // chunks), above the floors, entirely from its cache.
  constexpr size_t kChunks = 10000;     // of 112 bytes
  constexpr size_t kLargeChunks = 400;  // of 2016 bytes
  binmalloc_stats_t during{}, d{}, large_d{}, after_large{};
  uint64_t flushes = 0, large_flushes = 0;  // tcache_flushes is not among the fields delta() subtracts
  std::thread t([&] {
    binmalloc_free(binmalloc_malloc(16));  // sets up the cache
    void *pin = make_room(4 << 20);
    during = Counters::now();
    cycle(100, kChunks, 12);  // the bin doubles once a round, up to the working set
    Counters c;
    uint64_t flushes_before = Counters::now().tcache_flushes;
    cycle(100, kChunks, 3);
    d = c.delta();
    flushes = Counters::now().tcache_flushes - flushes_before;
    cycle(2000, kLargeChunks, 12);  // opens at 2 when hot, then doubles once a round
    Counters large_c;
    flushes_before = Counters::now().tcache_flushes;
    cycle(2000, kLargeChunks, 3);
    large_d = large_c.delta();
    after_large = Counters::now();
    large_flushes = after_large.tcache_flushes - flushes_before;
    EXPECT_EQ(binmalloc_check_heap(), 0);
    binmalloc_tcache_flush();
    binmalloc_free(pin);
  });
  t.join();
  EXPECT_EQ(during.tcache_threads, alone.tcache_threads + 1);
  EXPECT_EQ(during.tcache_bytes_budget, share_of(during));
  EXPECT_EQ(during.tcache_large_bytes_budget, large_share_of(during));
  if (during.tcache_bytes_budget >= kChunks * chunk_of(100)) {
    EXPECT_GE(d.tcache_hits, 3 * kChunks);  // every malloc: 3 rounds, plus the first allocation
    EXPECT_EQ(flushes, 0u);
  }
  if (during.tcache_large_bytes_budget >= kLargeChunks * chunk_of(2000)) {
    EXPECT_GT(after_large.tcache_large_grown_bytes, kBudgetFloor);  // more than a floor's worth
    EXPECT_GE(large_d.tcache_hits, 3 * kLargeChunks);
    EXPECT_EQ(large_flushes, 0u);
  }
  EXPECT_EQ(Counters::now().tcache_threads, alone.tcache_threads);  // the exit returned the share

  // With 8 more threads at once, each grows by no more than the floors.
  constexpr int kThreads = 8;
  std::atomic<int> ready{0}, measured{0};
  std::vector<uint64_t> grown(kThreads), budget(kThreads), large_grown(kThreads), large_budget(kThreads);
  std::vector<std::thread> ts;
  auto all = [&](std::atomic<int> &n) {
    n++;
    while (n < kThreads) std::this_thread::yield();
  };
  for (int i = 0; i < kThreads; i++)
    ts.emplace_back([&, i] {
      binmalloc_free(binmalloc_malloc(16));
      void *pin = make_room(4 << 20);
      all(ready);  // all 8 have a cache
      cycle(100, kChunks, 12);
      cycle(2000, kLargeChunks, 12);
      binmalloc_stats_t s = Counters::now();
      grown[i] = s.tcache_grown_bytes - s.tcache_large_grown_bytes;
      budget[i] = s.tcache_bytes_budget;
      large_grown[i] = s.tcache_large_grown_bytes;
      large_budget[i] = s.tcache_large_bytes_budget;
      EXPECT_EQ(binmalloc_check_heap(), 0);
      all(measured);  // none exits (giving its share back) before all are measured
      binmalloc_free(pin);
    });
  for (auto &th : ts) th.join();
  for (int i = 0; i < kThreads; i++) {
    EXPECT_EQ(budget[i], kBudgetFloor) << i;
    EXPECT_LE(grown[i], budget[i]) << i;
    EXPECT_GT(grown[i], budget[i] / 2) << i;  // the working set is larger: the share is used
    EXPECT_EQ(large_budget[i], kBudgetFloor) << i;
    EXPECT_LE(large_grown[i], large_budget[i]) << i;
    EXPECT_GT(large_grown[i], large_budget[i] / 2) << i;
  }
  EXPECT_EQ(binmalloc_check_heap(), 0);
}

// The bins above tcache_max grow within half their budget while more than
// one in 8 of the thread's allocations is larger than the cache's largest
// size (the arena serves those from the memory such bins would hold), and
// within all of it again once the share falls.  Each part runs in a thread
// of its own, whose counts start at zero.
namespace {
// A working set of 2016-byte chunks of three quarters of the thread's budget
// for those bins (the budget depends on the threads with a cache).
size_t above_test_chunks() {
  binmalloc_free(binmalloc_malloc(16));  // the thread has a cache
  return Counters::now().tcache_large_bytes_budget * 3 / 4 / chunk_of(2000);
}

// Rounds of a working set of n chunks of `size`; before each of its mallocs,
// one of `above` bytes (by default above the cache; 4105-32760: a class
// bin's) is allocated and freed every `every` chunks (0: none).
void cycle_with_above(size_t size, size_t n, size_t every, int rounds, size_t above = 40000) {
  std::vector<void *> v(n);
  for (int r = 0; r < rounds; r++) {
    for (size_t i = 0; i < n; i++) {
      if (every && i % every == 0) binmalloc_free(binmalloc_malloc(above));
      v[i] = binmalloc_malloc(size);
    }
    for (auto &p : v) binmalloc_free(p);
  }
}
}  // namespace

TEST(TcacheAdapt, TheBinsAboveTcacheMaxGrowWithinHalfTheirBudgetWhileMostRequestsAreLarger) {
  binmalloc_stats_t mixed{}, reopened{}, alone{};
  size_t n = 0, n_alone = 0;
  const bool off = std::getenv("BMTEST_ABOVE_OFF_CHILD") != nullptr;
  std::thread([&] {
    n = above_test_chunks();
    void *pin = make_room(8 << 20);    // no heap growth takes the bins back
    cycle_with_above(2000, n, 1, 14);  // half the requests above the cache
    mixed = Counters::now();
    EXPECT_EQ(binmalloc_check_heap(), 0);
    if (off) {  // BINMALLOC_TCACHE_ABOVE_SHARE=0: all of the budget
      EXPECT_GE(mixed.tcache_large_grown_bytes, n * chunk_of(2000));
      binmalloc_tcache_flush();
      binmalloc_free(pin);
      return;
    }
    // Without the large requests the share falls below one in 8 after about
    // 85 of these rounds, and the bin deepens to the working set.
    cycle(2000, n, 100);
    reopened = Counters::now();
    binmalloc_tcache_flush();
    binmalloc_free(pin);
  }).join();
  if (off) return;
  ASSERT_LT(mixed.tcache_large_bytes_budget / 2, n * chunk_of(2000));
  EXPECT_LE(mixed.tcache_large_grown_bytes, mixed.tcache_large_bytes_budget / 2);
  EXPECT_GT(mixed.tcache_large_grown_bytes + chunk_of(2000), mixed.tcache_large_bytes_budget / 2);
  EXPECT_GE(reopened.tcache_large_grown_bytes, n * chunk_of(2000));
  std::thread([&] {
    n_alone = above_test_chunks();
    void *pin = make_room(8 << 20);
    cycle_with_above(2000, n_alone, 20, 14);  // one in 21 above: all of the budget, as before
    alone = Counters::now();
    EXPECT_EQ(binmalloc_check_heap(), 0);
    binmalloc_tcache_flush();
    binmalloc_free(pin);
  }).join();
  EXPECT_GE(alone.tcache_large_grown_bytes, n_alone * chunk_of(2000));
  // Requests a class bin serves (above 4 KiB) count as above too.
  binmalloc_stats_t classes{};
  std::thread([&] {
    size_t m = above_test_chunks();
    void *pin = make_room(8 << 20);
    cycle_with_above(2000, m, 1, 14, 8000);
    classes = Counters::now();
    EXPECT_GT(classes.tcache_hits, 0u);
    EXPECT_EQ(binmalloc_check_heap(), 0);
    binmalloc_tcache_flush();
    binmalloc_free(pin);
  }).join();
  EXPECT_LE(classes.tcache_large_grown_bytes, classes.tcache_large_bytes_budget / 2);
  EXPECT_GT(classes.tcache_large_grown_bytes + chunk_of(2000), classes.tcache_large_bytes_budget / 2);
  run_alone("TheBinsAboveTcacheMaxGrowWithinHalfTheirBudgetWhileMostRequestsAreLarger",
            {"BMTEST_ABOVE_OFF_CHILD=1", "BINMALLOC_TCACHE_ABOVE_SHARE=0"});
}

// With a fixed depth (BINMALLOC_TCACHE_DEPTH at or below the count) the cache
// is the C library's: nothing above tcache_max is ever cached.  Tunables are
// read once, so the check runs in a child started with them.
TEST(TcacheAdapt, AFixedDepthCacheHasNoBinsAboveTcacheMax) {
  if (std::getenv("BMTEST_FIXED_DEPTH_CHILD")) {
    binmalloc_stats_t s = Counters::now();
    EXPECT_EQ(s.tcache_max_bytes, 1032u);
    EXPECT_EQ(s.tcache_large_max_bytes, 1032u);
    EXPECT_EQ(s.tcache_large_bytes_budget, 0u);
    EXPECT_EQ(s.tcache_depth_max, kFixedDepth);
    Counters c;
    cycle(2000, 10, 8);
    cycle(100, 40, 8);
    auto d = c.delta();
    EXPECT_EQ(d.tcache_grows, 0u);
    EXPECT_LE(Counters::now().tcache_cached_chunks, 2 * kFixedDepth);
    EXPECT_EQ(binmalloc_check_heap(), 0);
    return;
  }
  run_alone("AFixedDepthCacheHasNoBinsAboveTcacheMax", {"BMTEST_FIXED_DEPTH_CHILD=1", "BINMALLOC_TCACHE_DEPTH=7"});
}

// Share of consecutive allocations that are neighbours in memory after a
// batch of n chunks larger than the deepest bin was allocated and freed in
// order, rounds times.
static double neighbours_after_batches(size_t size, size_t n, int rounds) {
  std::vector<void *> v(n);
  for (int r = 0; r < rounds; r++) {
    for (auto &p : v) p = binmalloc_malloc(size);
    for (auto &p : v) binmalloc_free(p);
  }
  for (auto &p : v) p = binmalloc_malloc(size);
  size_t near = 0;
  for (size_t i = 0; i + 1 < n; i++) {
    auto d = reinterpret_cast<uintptr_t>(v[i + 1]) - reinterpret_cast<uintptr_t>(v[i]);
    if (d == chunk_of(size) || d == -chunk_of(size)) near++;
  }
  for (auto &p : v) binmalloc_free(p);
  return static_cast<double>(near) / static_cast<double>(n - 1);
}

TEST(TcacheAdapt, ABatchLargerThanTheBinComesBackInOrder) {
  // The cache and the fastbins keep a stack's order: a batch freed in the
  // order it was allocated comes back as neighbours, in this thread and in a
  // second one (where stashes fill the deepened bin under the arena lock).
  // With a stash that reverses the fastbin's order, 0.56-0.71 of them were
  // neighbours.  Tests run before it in the same process change the arena's
  // state (after TcacheAdapt.GrowthStaysWithinTheByteBudgets, 0.82 were
  // neighbours, with or without a malloc_trim(0) first): it runs in a
  // process of its own.
  if (!std::getenv("BMTEST_ORDER_CHILD")) {
    run_alone("ABatchLargerThanTheBinComesBackInOrder", {"BMTEST_ORDER_CHILD=1"});
    return;
  }
  binmalloc_tcache_flush();
  for (size_t size : {24, 100}) EXPECT_GT(neighbours_after_batches(size, 3000, 8), 0.9) << size;
  std::thread t([] {
    for (size_t size : {24, 100}) EXPECT_GT(neighbours_after_batches(size, 3000, 8), 0.9) << size;
  });
  t.join();
  EXPECT_GT(Counters::now().tcache_flushes, 0u);  // the batches did pass through the arena
  EXPECT_EQ(binmalloc_check_heap(), 0);
  binmalloc_tcache_flush();
}

TEST(TcacheAdapt, ADeepenedBinFlushesHalfInOneBatch) {
  binmalloc_tcache_flush();
  cycle(48, 40, 4);  // deepened
  size_t grown = Counters::now().tcache_grown_bytes;
  ASSERT_GT(grown, 0u);
  std::vector<void *> v(400);
  for (auto &p : v) p = binmalloc_malloc(48);
  Counters c;
  for (auto &p : v) binmalloc_free(p);
  binmalloc_stats_t s = Counters::now();
  EXPECT_GE(s.tcache_flushes, 1u);
  EXPECT_GT(c.delta().fastbin_frees, 0u);  // the batches went to the arena's fastbin
  EXPECT_EQ(binmalloc_check_heap(), 0);
  binmalloc_tcache_flush();
}

// A burst of frees larger than a deep bin: each free that finds the bin full
// returns only the newest chunks, at most 64 (TC_FLUSH_MAX), which are still
// in the processor's cache; half of a bin of a thousand (as before) was
// mostly out of it, one cache miss per chunk.
TEST(TcacheAdapt, ABurstReturnsOnlyTheNewestChunksOfADeepBin) {
  binmalloc_tcache_flush();
  cycle(100, 1000, 10);  // a fastbin-sized chunk (112 bytes): the bin doubles each round, past 1000
  std::vector<void *> v(12000);
  for (auto &p : v) p = binmalloc_malloc(100);
  Counters c;
  uint64_t flushes = Counters::now().tcache_flushes;  // a gauge, not a delta, in Counters
  for (auto *p : v) binmalloc_free(p);                // the bin doubles once more, then overflows
  binmalloc_stats_t d = c.delta();
  uint64_t returned = d.fastbin_frees + d.bin_frees;  // to a fastbin, or coalesced in a burst
  flushes = Counters::now().tcache_flushes - flushes;
  EXPECT_GE(flushes, 2u);
  EXPECT_GT(returned, 0u);
  EXPECT_LE(returned, 64 * flushes);
  EXPECT_GE(Counters::now().tcache_cached_chunks, 2000u);  // the bin stays full
  EXPECT_EQ(binmalloc_check_heap(), 0);
  binmalloc_tcache_flush();
}

// Sets the main arena's choice for bursts of frees (tcache_adapt.c) through
// what decides it, a consolidation: one that takes 1024 or more chunks that
// were not reused from the fastbins turns coalescing on; one that finds
// little in the fastbins after mallocs reused many from them turns it off.
// 24-byte requests: a bin no other part of these tests deepens, so its frees
// past the 7 cached go to a fastbin.
std::vector<void *> consolidate_after(bool reuse_first) {
  binmalloc_free(binmalloc_malloc(100 * 1024));  // empties the fastbins first
  std::vector<void *> v(3000);
  for (auto &p : v) p = binmalloc_malloc(24);
  for (auto *p : v) binmalloc_free(p);  // to the fastbin, past the 7 cached
  if (!reuse_first) {
    binmalloc_free(binmalloc_malloc(100 * 1024));  // a large request consolidates
    return {};
  }
  for (auto &p : v) p = binmalloc_malloc(24);           // served from the fastbin
  for (size_t i = 0; i < 8; i++) binmalloc_free(v[i]);  // 7 cached, one to the fastbin
  binmalloc_free(binmalloc_malloc(100 * 1024));
  // The rest stay allocated until the caller is done: freed now, they would
  // fill the fastbin for the next consolidation.
  return std::vector<void *>(v.begin() + 8, v.end());
}

// The batches a deep bin returns in a burst of frees (the thread's cache
// serving fewer than one malloc per 16 chunks returned since the previous
// batch) are coalesced in the arena at once, while the chunks are in the
// processor's cache, once the arena has seen that its fastbins' chunks are
// not reused but walked by malloc_consolidate when they no longer are
// (Python freeing a structure of 180000 objects).  Before that, and for a
// bin that returns batches while the thread keeps allocating (churn), the
// batches go to a fastbin, where they are reused cheaply (Hoard's
// threadtest frees a batch and allocates it again).
TEST(TcacheAdapt, ABurstOfFreesIsCoalescedAtOnceWhereFastbinsAreNotReused) {
  binmalloc_tcache_flush();
  void *pin = make_room(16 << 20);  // no growth of the heap takes the deep bin back on the way
  cycle(100, 1000, 10);             // 112-byte chunks (fastbin-sized): the bin deepens past 1000
  // More than the bin can hold however deep it grows over these phases (it
  // doubles in each, up to 32768).
  std::vector<void *> v(40000);
  auto burst = [&](binmalloc_stats_t *d) {
    for (auto &p : v) p = binmalloc_malloc(100);
    Counters c;
    uint64_t flushes = Counters::now().tcache_flushes;
    for (auto *p : v) binmalloc_free(p);
    *d = c.delta();
    return Counters::now().tcache_flushes - flushes;
  };
  binmalloc_stats_t d{};

  std::vector<void *> held = consolidate_after(true);  // fastbin chunks reused: bursts go to the fastbins
  uint64_t flushes = burst(&d);
  ASSERT_GE(flushes, 10u);
  EXPECT_EQ(d.bin_frees, 0u);
  EXPECT_GE(d.fastbin_frees, 64 * flushes);
  EXPECT_EQ(binmalloc_check_heap(), 0);

  consolidate_after(false);  // 3000 chunks walked, none reused: bursts are coalesced
  flushes = burst(&d);
  ASSERT_GE(flushes, 10u);
  // Only the first batch, which follows 40000 mallocs, goes to a fastbin.
  EXPECT_LE(d.fastbin_frees, 64u);
  EXPECT_GE(d.bin_frees, 64 * (flushes - 1));
  EXPECT_EQ(binmalloc_check_heap(), 0);

  for (auto &p : v) p = binmalloc_malloc(100);
  Counters c;
  flushes = Counters::now().tcache_flushes;
  for (auto *p : v) {
    binmalloc_free(p);
    binmalloc_free(binmalloc_malloc(40));  // a malloc served from the cache for every free
  }
  d = c.delta();
  flushes = Counters::now().tcache_flushes - flushes;
  ASSERT_GE(flushes, 10u);
  EXPECT_EQ(d.bin_frees, 0u);
  EXPECT_GE(d.fastbin_frees, 64 * flushes);
  EXPECT_EQ(binmalloc_check_heap(), 0);
  for (auto *p : held) binmalloc_free(p);
  binmalloc_tcache_flush();
  binmalloc_free(pin);
}

// What a burst of frees left in a deep bin goes back to the arena at the next
// free of a chunk of 64 KiB or more (where the arena consolidates), to be
// coalesced there instead of serving the program's next phase with chunks
// scattered over the heap.  A bin still cycling (its last event a malloc that
// found it empty) keeps its chunks.
TEST(TcacheAdapt, AFreeOfALargeChunkReturnsWhatABurstLeftInTheCache) {
  binmalloc_tcache_flush();
  void *pin = make_room(4 << 20);
  cycle(100, 1000, 10);
  cycle(300, 200, 8);
  std::vector<void *> burst(12000), cycling(200);
  for (auto &p : burst) p = binmalloc_malloc(100);
  for (auto *p : burst) binmalloc_free(p);  // the bin overflows: full since its last miss
  for (auto &p : cycling) p = binmalloc_malloc(300);
  void *extra = binmalloc_malloc(300);  // finds the bin empty
  for (size_t i = 0; i < 100; i++) binmalloc_free(cycling[i]);
  size_t cached = Counters::now().tcache_cached_chunks;
  ASSERT_GE(cached, 2000u + 100u);
  void *large = binmalloc_malloc(100 * 1024);  // below the mmap threshold: a chunk of the heap
  Counters c;
  binmalloc_free(large);
  binmalloc_stats_t s = Counters::now();
  // The burst's bin (deeper than 2000, full) went back to its fixed depth,
  // its chunks coalesced in the arena (not left in a fastbin).
  EXPECT_GE(c.delta().bin_frees, 2000u);
  EXPECT_LE(s.tcache_cached_chunks, cached - 2000);
  EXPECT_GE(s.tcache_cached_chunks, 100u);  // the cycling bin kept its 100
  EXPECT_EQ(binmalloc_check_heap(), 0);
  binmalloc_free(extra);
  for (size_t i = 100; i < cycling.size(); i++) binmalloc_free(cycling[i]);
  binmalloc_tcache_flush();
  binmalloc_free(pin);
}

// A malloc that would grow the heap first takes back what the cache holds
// beyond its starting depths, coalesced into the arena: a thread whose deep
// bins hold chunks of a phase that is over reuses them instead of growing the
// heap.  It does so at most once per growth of the heap, so a thread whose
// working set needs the growth keeps its deep bins.  In a child: the once per
// growth depends on what earlier tests grew.
TEST(TcacheAdapt, AHeapThatGrowsTakesBackWhatTheCacheHeldBeyondItsStartingDepths) {
  if (!std::getenv("BMTEST_GROWTH_CHILD")) {
    run_alone("AHeapThatGrowsTakesBackWhatTheCacheHeldBeyondItsStartingDepths", {"BMTEST_GROWTH_CHILD=1"});
    return;
  }
  constexpr size_t kChunks = 1000;
  auto deep_and_full = [](size_t n) {
    cycle(100, n, 10);  // deepens the bin past n
    std::vector<void *> v(n);
    for (auto &p : v) p = binmalloc_malloc(100);
    for (auto *p : v) binmalloc_free(p);
  };
  // Allocates 32 KiB blocks until the counter `field` of the stats changes.
  std::vector<void *> blocks;
  auto allocate_until = [&](uint64_t binmalloc_stats_t::*field) {
    uint64_t before = Counters::now().*field;
    for (int i = 0; i < 4096 && Counters::now().*field == before; i++) blocks.push_back(binmalloc_malloc(32 * 1024));
    return Counters::now().*field != before;
  };
  binmalloc_tcache_flush();
  void *pin = make_room(1 << 20);  // the heap grows the first time only once the blocks below use it up
  deep_and_full(kChunks);
  binmalloc_stats_t full = Counters::now();
  ASSERT_GE(full.tcache_cached_chunks, kChunks);
  ASSERT_GT(full.tcache_grown_bytes, 0u);
  Counters c;
  ASSERT_TRUE(allocate_until(&binmalloc_stats_t::tcache_growth_returns));
  binmalloc_stats_t back = Counters::now();
  EXPECT_EQ(back.tcache_growth_returns, full.tcache_growth_returns + 1);
  EXPECT_EQ(back.tcache_grown_bytes, 0u);  // every bin at its starting depth
  EXPECT_LE(back.tcache_cached_chunks, kFixedDepth);
  EXPECT_GE(c.delta().bin_frees, kChunks - kFixedDepth);  // freed and coalesced, not left in a fastbin
  EXPECT_EQ(binmalloc_check_heap(), 0);

  // Deepened again from the room given back (less than the first time: the
  // cache kept its starting depth), the bin stays deep through the next
  // growth of the heap; the one after that takes it back again.
  constexpr size_t kAgain = 300;
  uint64_t system = Counters::now().main_system_bytes;
  deep_and_full(kAgain);
  ASSERT_EQ(Counters::now().main_system_bytes, system) << "the bin deepened from the room given back";
  ASSERT_TRUE(allocate_until(&binmalloc_stats_t::main_system_bytes));
  binmalloc_stats_t grown = Counters::now();
  EXPECT_EQ(grown.tcache_growth_returns, back.tcache_growth_returns);
  EXPECT_GE(grown.tcache_cached_chunks, kAgain);
  ASSERT_TRUE(allocate_until(&binmalloc_stats_t::tcache_growth_returns));
  EXPECT_LE(Counters::now().tcache_cached_chunks, kFixedDepth);
  EXPECT_EQ(binmalloc_check_heap(), 0);
  for (auto *p : blocks) binmalloc_free(p);
  binmalloc_free(pin);
  EXPECT_EQ(binmalloc_check_heap(), 0);
}

// Chunks of another arena in the cache stay there when the heap would grow:
// that arena's lock is not held.  They keep their order and are served next.
// (They are freed first: a deep bin takes another arena's chunks only while
// it is less than half full.)
TEST(TcacheAdapt, AnotherArenasChunksStayCachedWhenTheHeapWouldGrow) {
  if (!std::getenv("BMTEST_GROWTH_CHILD")) {
    run_alone("AnotherArenasChunksStayCachedWhenTheHeapWouldGrow", {"BMTEST_GROWTH_CHILD=1"});
    return;
  }
  constexpr size_t kOwn = 600, kOthers = 400;
  binmalloc_tcache_flush();
  cycle(100, kOwn + kOthers, 10);  // deepens the bin past both
  std::vector<void *> own(kOwn), others(kOthers);
  for (auto &p : own) p = binmalloc_malloc(100);
  // The thread stays attached to its arena: the chunks of an arena no
  // thread is attached to go back to it beyond the fixed depth.
  std::atomic<bool> allocated{false}, done{false};
  std::thread owner([&] {
    for (auto &p : others) p = binmalloc_malloc(100);  // from the thread's own arena
    allocated = true;
    while (!done) std::this_thread::yield();
  });
  while (!allocated) std::this_thread::yield();
  for (auto *p : others) binmalloc_free(p);  // the oldest in the bin
  for (auto *p : own) binmalloc_free(p);
  ASSERT_GE(Counters::now().tcache_cached_chunks, kOwn + kOthers);
  std::vector<void *> blocks;
  uint64_t before = Counters::now().tcache_growth_returns;
  for (int i = 0; i < 4096 && Counters::now().tcache_growth_returns == before; i++)
    blocks.push_back(binmalloc_malloc(32 * 1024));
  binmalloc_stats_t s = Counters::now();
  ASSERT_EQ(s.tcache_growth_returns, before + 1);
  EXPECT_EQ(s.tcache_cached_chunks, kFixedDepth + kOthers);
  EXPECT_EQ(s.tcache_grown_bytes, kOthers * chunk_of(100));  // the bin holds them, no more
  EXPECT_EQ(binmalloc_check_heap(), 0);
  // The next mallocs are served the other arena's chunks, newest first.
  for (size_t i = 0; i < kOthers; i++) EXPECT_EQ(binmalloc_malloc(100), others[kOthers - 1 - i]) << i;
  for (auto *p : others) binmalloc_free(p);
  for (auto *p : blocks) binmalloc_free(p);
  done = true;
  owner.join();
  EXPECT_EQ(binmalloc_check_heap(), 0);
}

TEST(TcacheAdapt, ThreadExitReturnsTheWholeCache) {
  binmalloc_tcache_flush();
  // A first thread attaches an arena (creating one if all are taken); the
  // measured thread then reuses it, so only its cache can make a difference.
  std::thread([] { binmalloc_free(binmalloc_malloc(16)); }).join();
  size_t in_use_before = binmalloc_mallinfo2().uordblks;
  binmalloc_stats_t seen{};
  std::thread t([&] {
    void *pin = make_room(1 << 20);
    for (size_t req : {40, 120, 300, 700}) cycle(req, 50, 4);
    // Leave the deepened bins full.
    std::vector<void *> v(50);
    for (size_t req : {40, 120, 300, 700}) {
      for (auto &p : v) p = binmalloc_malloc(req);
      for (auto &p : v) binmalloc_free(p);
    }
    binmalloc_stats_ex(&seen);
    binmalloc_free(pin);
  });
  t.join();
  EXPECT_GT(seen.tcache_grown_bytes, 0u);
  EXPECT_GT(seen.tcache_cached_chunks, 4 * kFixedDepth);
  // Every cached chunk (and the cache itself) is free again after the exit.
  EXPECT_EQ(binmalloc_mallinfo2().uordblks, in_use_before);
  EXPECT_GE(Counters::now().tcache_grows, seen.tcache_grows);  // exited threads' counters kept
  EXPECT_EQ(binmalloc_check_heap(), 0);
}

// A thread that exits with deep bins returns hundreds of chunks, newest
// first; many of them reach top one after another.  The heap shrinks once at
// the end instead of once for each (every shrink is a system call, and with
// threads a TLB shootdown): with a trim per chunk this exit made 7-8 trims.
// In a child with a fixed trim threshold (earlier tests raise the dynamic
// one, and above about 1 MiB nothing would be trimmed).
TEST(TcacheAdapt, ThreadExitTrimsOnceAfterReturningTheCache) {
  EXPECT_EXIT(
      {
        if (binmalloc_mallopt(BINMALLOC_M_TRIM_THRESHOLD, 128 * 1024) != 1) _exit(2);
        std::thread([] { binmalloc_free(binmalloc_malloc(16)); }).join();
        binmalloc_stats_t before_exit{};
        std::thread t([&] {
          std::vector<void *> v(1000);
          uint32_t x = 12345;
          for (int round = 0; round < 3; round++) {
            for (auto &p : v) {
              x = x * 1664525u + 1013904223u;
              size_t req = 16 + (x >> 8) % 2033;
              p = binmalloc_malloc(req);
              memset(p, 7, req);
            }
            for (auto &p : v) binmalloc_free(p);
          }
          binmalloc_stats_ex(&before_exit);
        });
        t.join();
        binmalloc_stats_t after = Counters::now();
        fprintf(stderr, "cached chunks %zu, trims at the exit %zu\n", size_t(before_exit.tcache_cached_chunks),
                size_t(after.trims - before_exit.trims));
        binmalloc_check_heap();
        _exit(0);
      },
      ::testing::ExitedWithCode(0), "cached chunks [2-9][0-9][0-9], trims at the exit 1\n");
}

TEST(TcacheAdapt, RemoteFreesReturnInBatchesToTheOwningArena) {
  binmalloc_tcache_flush();
  // The producer's chunks live in its arena; it stays alive (attached) while
  // the consumer runs, so the consumer gets another arena.
  std::vector<void *> produced(600);
  std::atomic<int> phase{0};
  std::thread producer([&] {
    for (auto &p : produced) p = binmalloc_malloc(48);
    phase = 1;
    while (phase != 2) std::this_thread::yield();
  });
  while (phase != 1) std::this_thread::yield();
  size_t in_use_before = 0;
  std::thread consumer([&] {
    cycle(48, 40, 4);  // the consumer's bin is deepened
    in_use_before = binmalloc_mallinfo2().uordblks;
    Counters c;
    for (auto *p : produced) binmalloc_free(p);
    auto d = c.delta();
    binmalloc_stats_t s = Counters::now();
    EXPECT_GE(s.tcache_flushes, 1u);
    EXPECT_GE(d.remote_frees, 1u);
    EXPECT_EQ(binmalloc_check_heap(), 0);
  });
  consumer.join();
  phase = 2;
  producer.join();
  EXPECT_LT(binmalloc_mallinfo2().uordblks, in_use_before);
  EXPECT_EQ(binmalloc_check_heap(), 0);
  // The returned chunks are usable by anyone.
  std::vector<void *> again(600);
  for (auto &p : again) {
    p = binmalloc_malloc(48);
    ASSERT_NE(p, nullptr);
  }
  for (auto *p : again) binmalloc_free(p);
  EXPECT_EQ(binmalloc_check_heap(), 0);
}

// A thread that frees what another thread allocated (a ring of threads, a
// consumer that also allocates) keeps at most half of a deepened bin for
// those chunks; the rest go back to their arena, where their owner reuses
// them, and the other half of the bin is left to the thread's own chunks.
TEST(TcacheAdapt, ADeepBinHoldsAnotherArenasChunksUpToHalfItsDepth) {
  constexpr size_t kReq = 48;
  // This thread takes its arena first: the producer gets a thread arena (the
  // rule leaves main-arena chunks alone, free.c).
  binmalloc_free(binmalloc_malloc(kReq));
  std::vector<void *> produced(600);
  std::atomic<int> phase{0};
  std::thread producer([&] {  // allocates in its arena and stays attached to it
    for (auto &p : produced) p = binmalloc_malloc(kReq);
    phase = 1;
    while (phase != 2) std::this_thread::yield();
  });
  while (phase != 1) std::this_thread::yield();
  std::thread consumer([&] {
    cycle(kReq, 200, 8);  // deepens the one bin this new thread uses
    binmalloc_stats_t s = Counters::now();
    const size_t limit = kFixedDepth + s.tcache_grown_bytes / chunk_of(kReq);
    ASSERT_GE(limit, 200u);
    ASSERT_LT(limit / 2, produced.size());
    std::vector<void *> own(s.tcache_cached_chunks);
    for (auto &p : own) p = binmalloc_malloc(kReq);  // the bin is empty now, nothing missed
    ASSERT_EQ(Counters::now().tcache_cached_chunks, 0u);
    const size_t in_use = binmalloc_mallinfo2().uordblks;
    Counters c;
    for (auto *p : produced) binmalloc_free(p);
    auto d = c.delta();
    EXPECT_EQ(Counters::now().tcache_cached_chunks, limit / 2);
    EXPECT_EQ(d.remote_frees, produced.size() - limit / 2);
    EXPECT_EQ(in_use - binmalloc_mallinfo2().uordblks, (produced.size() - limit / 2) * chunk_of(kReq));
    // The other half takes the thread's own chunks; the depth is unchanged.
    ASSERT_GE(own.size(), limit - limit / 2);
    for (size_t i = 0; i < limit - limit / 2; i++) binmalloc_free(own[i]);
    s = Counters::now();
    EXPECT_EQ(s.tcache_cached_chunks, limit);
    EXPECT_EQ(kFixedDepth + s.tcache_grown_bytes / chunk_of(kReq), limit);
    EXPECT_EQ(binmalloc_check_heap(), 0);
    for (size_t i = limit - limit / 2; i < own.size(); i++) binmalloc_free(own[i]);
  });
  consumer.join();
  phase = 2;
  producer.join();
  EXPECT_EQ(binmalloc_check_heap(), 0);
}

TEST(TcacheAdapt, ForkWhileOtherThreadsHoldDeepCaches) {
  std::atomic<bool> stop{false};
  std::atomic<int> ready{0};
  std::vector<std::thread> ts;
  for (int i = 0; i < 2; i++)
    ts.emplace_back([&, i] {
      cycle(64 + 32 * static_cast<size_t>(i), 50, 3);
      ready++;
      while (!stop) cycle(64 + 32 * static_cast<size_t>(i), 50, 1);
    });
  while (ready < 2) std::this_thread::yield();
  cycle(80, 50, 3);  // the forking thread's own cache is deepened too
  for (int k = 0; k < 5; k++) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      // The child inherits a deep cache; other threads' caches are gone with them.
      for (size_t req : {80, 64, 96, 500}) cycle(req, 200, 3);
      std::vector<void *> v(1000);
      for (auto &p : v) p = binmalloc_malloc(100);
      for (auto *p : v) binmalloc_free(p);
      if (Counters::now().tcache_threads != 1) _exit(4);  // only the forking thread's cache is left
      _exit(binmalloc_check_heap() == 0 ? 0 : 3);
    }
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status)) << "child died with signal " << WTERMSIG(status);
    EXPECT_EQ(WEXITSTATUS(status), 0);
  }
  stop = true;
  for (auto &t : ts) t.join();
  EXPECT_EQ(binmalloc_check_heap(), 0);
}

TEST(TcacheAdaptDeath, DoubleFreeInADeepenedBin) {
  EXPECT_DEATH(
      {
        binmalloc_tcache_flush();
        cycle(64, 40, 4);
        std::vector<void *> v(30);
        for (auto &p : v) p = binmalloc_malloc(64);
        for (auto *p : v) binmalloc_free(p);  // 30 > the fixed depth: all in the deepened bin
        binmalloc_free(v[3]);
      },
      "free\\(\\): double free detected in tcache 2");
}
