// The classic workloads' operation mix and size distribution, counted call by
// call: this test program defines malloc, calloc, realloc, posix_memalign and
// free itself (forwarding to glibc's __libc_* entry points), and counts the
// calls a workload's run() makes, by kind, size and alignment. No timing.
#include <gtest/gtest.h>
#include <malloc.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <string>

#include "allocscope/workload.hpp"

extern "C" {
void* __libc_malloc(size_t);
void* __libc_calloc(size_t, size_t);
void* __libc_realloc(void*, size_t);
void* __libc_memalign(size_t, size_t);
void __libc_free(void*);
}

namespace {

constexpr size_t kBuckets = 64;  // size histogram: bucket = size / 64, last one open

struct Counts {
  std::atomic<uint64_t> malloc{0}, calloc{0}, realloc{0}, aligned{0}, aligned8{0}, aligned16{0}, free{0};
  std::atomic<uint64_t> bytes{0}, small{0}, over512{0}, over4k{0};
  std::atomic<uint64_t> min_size{UINT64_MAX}, max_size{0};
  std::atomic<uint64_t> hist[kBuckets]{};
};

// A plain copy of Counts, for the assertions.
struct Tally {
  uint64_t malloc, calloc, realloc, aligned, aligned8, aligned16, free, bytes, small, over512, over4k, min_size,
      max_size;
  uint64_t hist[kBuckets];
};

Tally snapshot(const Counts& c) {
  Tally t{c.malloc, c.calloc, c.realloc, c.aligned, c.aligned8, c.aligned16, c.free,
          c.bytes,  c.small,  c.over512, c.over4k,  c.min_size, c.max_size,  {}};
  for (size_t b = 0; b < kBuckets; ++b) t.hist[b] = c.hist[b];
  return t;
}

std::atomic<bool> g_on{false};
Counts* g_counts = nullptr;

void note_size(size_t n) {
  Counts& c = *g_counts;
  c.bytes.fetch_add(n, std::memory_order_relaxed);
  if (n < 4096) c.small.fetch_add(1, std::memory_order_relaxed);
  if (n > 512) c.over512.fetch_add(1, std::memory_order_relaxed);
  if (n >= 4096) c.over4k.fetch_add(1, std::memory_order_relaxed);
  uint64_t m = c.min_size.load(std::memory_order_relaxed);
  while (n < m && !c.min_size.compare_exchange_weak(m, n)) {
  }
  m = c.max_size.load(std::memory_order_relaxed);
  while (n > m && !c.max_size.compare_exchange_weak(m, n)) {
  }
  c.hist[n / 64 < kBuckets ? n / 64 : kBuckets - 1].fetch_add(1, std::memory_order_relaxed);
}

bool counting() {
  return g_on.load(std::memory_order_relaxed);
}

}  // namespace

extern "C" {
void* malloc(size_t n) {
  if (counting()) g_counts->malloc.fetch_add(1, std::memory_order_relaxed), note_size(n);
  return __libc_malloc(n);
}
void* calloc(size_t k, size_t n) {
  if (counting()) g_counts->calloc.fetch_add(1, std::memory_order_relaxed), note_size(k * n);
  return __libc_calloc(k, n);
}
void* realloc(void* p, size_t n) {
  if (counting()) g_counts->realloc.fetch_add(1, std::memory_order_relaxed);
  return __libc_realloc(p, n);
}
int posix_memalign(void** out, size_t align, size_t n) {
  if (counting()) {
    g_counts->aligned.fetch_add(1, std::memory_order_relaxed);
    if (align == 8) g_counts->aligned8.fetch_add(1, std::memory_order_relaxed);
    if (align == 16) g_counts->aligned16.fetch_add(1, std::memory_order_relaxed);
    note_size(n);
  }
  *out = __libc_memalign(align, n);
  return *out ? 0 : 12;
}
void free(void* p) {
  if (counting() && p) g_counts->free.fetch_add(1, std::memory_order_relaxed);
  __libc_free(p);
}
}

namespace allocscope {
namespace {

// Runs `name` with the given parameters on `threads` threads and returns the
// calls its timed part made (prepare and finish are not counted).
std::unique_ptr<Tally> run_counted(const std::string& name, const std::map<std::string, std::string>& given,
                                   int threads) {
  const WorkloadInfo* info = WorkloadRegistry::instance().find(name);
  if (!info) throw std::runtime_error("no workload " + name);
  RunContext ctx(*info, Params::resolve(name, info->params, given), threads, 42, 0);
  auto w = info->make();
  w->prepare(ctx);
  auto counts = std::make_unique<Counts>();
  g_counts = counts.get();
  g_on = true;
  w->run(ctx);
  g_on = false;
  w->finish(ctx);
  return std::make_unique<Tally>(snapshot(*counts));
}

// Allowance for the harness's own calls inside run() (thread start-up
// records: a few per thread started).
constexpr uint64_t kSlack = 64;
// Calls of other kinds the start of one thread may make (TLS set-up).
constexpr uint64_t kPerThread = 2;

// The malloc sizes lie in [lo, hi]; the share below 64 B and the mean size
// are the distribution's, within the given tolerances.
void expect_sizes(const Tally& c, uint64_t lo, uint64_t hi, double below64, double below64_tol, double mean,
                  double mean_tol) {
  EXPECT_GE(c.min_size, lo);
  EXPECT_LE(c.max_size, hi);
  EXPECT_NEAR(static_cast<double>(c.hist[0]) / static_cast<double>(c.malloc), below64, below64_tol);
  EXPECT_NEAR(static_cast<double>(c.bytes) / static_cast<double>(c.malloc), mean, mean_tol);
}

TEST(ClassicMix, XmallocHandsOverWholeBatchesOfFixedSizeBlocks) {
  auto c = run_counted("xmalloc", {{"blocks", "20000"}, {"batch", "1000"}, {"queue", "3"}}, 2);
  // 20000 blocks over 2 producers in whole batches of 1000: 10 batches each.
  EXPECT_GE(c->malloc, 20000u + 20u);
  EXPECT_LE(c->malloc, 20000u + 20u + kSlack);
  EXPECT_GE(c->free, 20000u + 20u);
  // No calloc or memalign of its own (thread start-up may make a few: TLS).
  EXPECT_LE(c->calloc, 4u * kPerThread);
  EXPECT_LE(c->aligned, 4u * kPerThread);
  EXPECT_EQ(c->hist[1], 20000u);  // every block is 64 B (bucket 64-127)
}

TEST(ClassicMix, XmallocMixedSizesStayInTheClassList) {
  auto c = run_counted("xmalloc", {{"blocks", "8000"}, {"batch", "1000"}, {"size", "0"}}, 2);
  EXPECT_EQ(c->min_size, 8u);
  EXPECT_LE(c->over512, 8000u * 4 / 17 + 8u + 400u);  // 768, 1024, 1536, 2048 of 17 classes
  EXPECT_GE(c->over512, 8000u * 4 / 17 - 400u);
}

TEST(ClassicMix, LarsonReplacesSlotsWithSizesOfItsRange) {
  auto c = run_counted("larson", {{"lives", "3"}, {"ops", "2000"}, {"slots", "500"}}, 2);
  // 2 chains x 3 lives x 2000 replacements, each one free and one malloc.
  EXPECT_GE(c->malloc, 12000u);
  EXPECT_LE(c->malloc, 12000u + kSlack);
  EXPECT_GE(c->free, 12000u);
  EXPECT_LE(c->calloc + c->aligned + c->realloc, 8u * kPerThread);  // 2 drivers + 6 lives
  uint64_t in_range = 0;
  for (size_t b = 0; b < 16; ++b) in_range += c->hist[b];  // < 1024 B
  EXPECT_EQ(in_range, c->malloc);
  EXPECT_GE(c->min_size, 8u);
  EXPECT_LT(c->max_size, 1000u);
  // Uniform over [8, 1000): mean 503.5.
  const double mean = static_cast<double>(c->bytes) / static_cast<double>(c->malloc);
  EXPECT_NEAR(mean, 503.5, 15.0);
}

TEST(ClassicMix, RptestUsesTheOriginalsCallsInTurn) {
  auto c = run_counted("rptest", {{"iterations", "20"}, {"batch", "300"}, {"slots", "400"}}, 2);
  // 2 threads x 20 iterations x 300 replacements, and every second
  // iteration a fresh batch of 300 for the other thread (one record each).
  const uint64_t allocs = 2u * 20 * 300 + 2u * 10 * 300;
  EXPECT_GE(c->calloc + c->aligned, allocs);
  EXPECT_LE(c->calloc + c->aligned, allocs + 2 * kPerThread);
  EXPECT_GE(c->malloc, 2u * 10);
  EXPECT_LE(c->malloc, 2u * 10 + kSlack);
  EXPECT_GE(c->free, allocs + 2u * 10 - 2u * 400);  // all but the working sets (400 slots each)
  // Below 4 KiB: calloc, memalign(8), memalign(16) in turn; above: calloc.
  EXPECT_EQ(c->aligned, c->aligned8 + c->aligned16);
  EXPECT_NEAR(static_cast<double>(c->aligned8), static_cast<double>(c->aligned16), 2.0 * 2 * 20);
  EXPECT_NEAR(static_cast<double>(c->aligned) / static_cast<double>(c->small), 2.0 / 3.0, 0.02);
  EXPECT_GE(c->min_size, 8u);
  EXPECT_LE(c->max_size, 16000u);
  // Linear drop-off over [8, 16000]: mean about 8 + 15992 / 3.
  const double mean = static_cast<double>(c->bytes) / static_cast<double>(allocs);
  EXPECT_NEAR(mean, 8 + 15992.0 / 3, 400.0);
}

TEST(ClassicMix, RptestMallocModeIsPlainMalloc) {
  auto c = run_counted("rptest", {{"iterations", "4"}, {"batch", "100"}, {"slots", "400"}, {"alloc", "malloc"}}, 2);
  EXPECT_GE(c->malloc, 800u);
  EXPECT_EQ(c->calloc + c->aligned, 0u);
}

TEST(ClassicMix, MstressSizesAndEnlargements) {
  auto c = run_counted("mstress", {{"rounds", "4"}, {"scale", "10"}}, 2);
  // Per round: thread 0 makes 1000 data + 500 retained objects, thread 1
  // 2000 + 1000, plus a retained array each and data arrays grown by realloc.
  const uint64_t objects = 4u * (1500 + 3000);
  EXPECT_GE(c->malloc, objects);
  EXPECT_LE(c->malloc, objects + 4u * 2 + kSlack);
  EXPECT_EQ(c->realloc, 4u * 2);  // one 100000-entry data array per thread
  EXPECT_GE(c->min_size, 8u);
  // 2% of objects are enlarged (x100 or more, so over 512 B); the rest are
  // 8-512 B.
  const double big = static_cast<double>(c->over512) / static_cast<double>(objects);
  EXPECT_NEAR(big, 0.02, 0.006);
  // Every object and array is freed within the run (the pool is emptied
  // after the last round); the data arrays came from realloc.
  EXPECT_NEAR(static_cast<double>(c->free), static_cast<double>(c->malloc + 4u * 2), static_cast<double>(kSlack));
}

TEST(ClassicMix, GlibcSimpleBatchesOfOneSize) {
  for (const char* arena : {"main", "thread"}) {
    auto c = run_counted("glibc-simple", {{"n", "100"}, {"size", "48"}, {"iterations", "20"}, {"arena", arena}}, 1);
    // 20 batches of 100 mallocs of 48 B, each batch freed.
    EXPECT_GE(c->malloc, 2000u) << arena;
    EXPECT_LE(c->malloc, 2000u + kSlack) << arena;
    EXPECT_GE(c->free, 2000u) << arena;
    // Every block is 48 B (bucket 0-63); a thread arena's run also starts
    // the thread (its state is one small malloc).
    EXPECT_EQ(c->max_size, 48u) << arena;
    EXPECT_GE(c->hist[0], 2000u) << arena;
    EXPECT_LE(c->hist[0], 2000u + kPerThread) << arena;
    EXPECT_LE(c->calloc + c->aligned + c->realloc, kPerThread) << arena;
  }
}

TEST(ClassicMix, GlibcThreadReplacesWithInverseSquareSizes) {
  auto c = run_counted("glibc-thread", {{"ops", "40000"}, {"stream", "20000"}}, 2);
  // Each step frees a slot (empty ones at first) and fills it again.
  EXPECT_GE(c->malloc, 40000u);
  EXPECT_LE(c->malloc, 40000u + kSlack);
  EXPECT_GE(c->free, 40000u - 2u * 1024);  // all but the filled working sets
  EXPECT_LE(c->calloc + c->aligned + c->realloc, 2u * kPerThread);
  // Density ~ 1/size^2 on [4, 32768]: P(size < 64) = (1/4 - 1/64) / (1/4 -
  // 1/32768) = 0.938; mean = ln(8192) / (1/4 - 1/32768) = 36.0 (35.5 once
  // truncated to whole bytes); the tail makes the mean's spread about 2.
  expect_sizes(*c, 4, 32768, 0.938, 0.01, 35.5, 8.0);
}

TEST(ClassicMix, AllocTestOneOpPerStepWithSkewedSmallSizes) {
  auto c = run_counted("alloc-test", {{"steps", "40000"}, {"stream", "20000"}, {"slots", "1000"}}, 2);
  // One step is one malloc (empty slot) or one free (full slot).
  EXPECT_GE(c->malloc + c->free, 40000u);
  EXPECT_LE(c->malloc + c->free, 40000u + kSlack);
  EXPECT_GT(c->free, 10000u);  // 1000 slots per thread fill up: frees are common
  EXPECT_LE(c->calloc + c->aligned + c->realloc, 2u * kPerThread);
  // size = 8 + u^3 (1024 - 8): P(size < 64) = (56 / 1016)^(1/3) = 0.381,
  // mean 8 + 1016 / 4 = 262.
  expect_sizes(*c, 8, 1024, 0.381, 0.02, 262.0, 10.0);
}

TEST(ClassicMix, CacheScratchFreesTheHandedObjectThenCycles) {
  auto c = run_counted("cache-scratch", {{"iterations", "100"}, {"writes", "10"}, {"size", "8"}}, 2);
  // Per thread: the object the main thread handed over is freed, then 100
  // allocate-write-free cycles of the same size.
  EXPECT_GE(c->malloc, 200u);
  EXPECT_LE(c->malloc, 200u + kSlack);
  EXPECT_GE(c->free, 202u);
  EXPECT_EQ(c->min_size, 8u);
  EXPECT_LE(c->calloc + c->aligned + c->realloc, 2u * kPerThread);
}

}  // namespace
}  // namespace allocscope
