// Remote frees in batches: a thread that frees chunks another thread's arena
// owns (too large for the fastbins, not cached) holds them back and returns
// them to the owner under one lock, 32 chunks or 64 KiB at a time, and
// whatever it still holds when its cache is flushed or it exits. Smaller
// chunks fill the freeing thread's cache bin, which goes back whole, as one
// chain onto the owner's fastbin, each time it is full.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <thread>
#include <vector>

#include "helpers.h"

using bmtest::Counters;

namespace {

constexpr size_t kRequest = 2000;  // chunk 2016: above glibc's cache, below the mmap threshold
constexpr size_t kChunk = 2016;
constexpr size_t kBatch = 32;     // REMOTE_MAX_CHUNKS (32 x 2016 bytes stays under 64 KiB)
constexpr size_t kLarge = 40000;  // above the cache's sizes
constexpr size_t kLargeChunk = 40016;

size_t in_use() {
  return binmalloc_mallinfo2().uordblks;
}

// Makes n arenas besides the calling thread's exist (a new arena's own record counts
// as in use), free for the test's threads to take, so that the test's
// mallinfo2 figures change only by the chunks it frees.
void make_arenas(int n) {
  binmalloc_free(binmalloc_malloc(16));  // the calling thread holds its arena first
  std::atomic<int> attached{0};
  std::vector<std::thread> ts;
  for (int i = 0; i < n; i++)
    ts.emplace_back([&] {
      binmalloc_free(binmalloc_malloc(16));
      attached++;
      while (attached < n) std::this_thread::yield();
    });
  for (auto &t : ts) t.join();
}

// n chunks of `size` bytes, and their return to the calling thread's own
// fastbin (through its cache, flushed).
std::vector<void *> own_fastbin_chunks(size_t n, size_t size) {
  std::vector<void *> own(n);
  for (auto &p : own) p = binmalloc_malloc(size);
  return own;
}

void free_to_own_fastbin(const std::vector<void *> &chunks) {
  for (auto *p : chunks) binmalloc_free(p);
  binmalloc_tcache_flush();  // all of them on the arena's fastbin, the cache empty
}

}  // namespace

TEST(RemoteFree, AnotherArenasChunksGoBackInBatches) {
  // The main thread's chunks live in the main arena; the freeing thread has its own.
  binmalloc_tcache_flush();  // no chunk of another arena left in this thread's cache
  make_arenas(1);
  std::vector<void *> owned(100);
  for (auto &p : owned) p = binmalloc_malloc(kRequest);
  size_t all = in_use();
  std::thread([&] {
    void *anchor = binmalloc_malloc(16);  // sets up this thread's cache and arena
    Counters c;
    size_t mine = in_use();
    for (size_t i = 0; i + 1 < kBatch; i++) binmalloc_free(owned[i]);
    // Held back: the owner's chunks are still in use, and the heap is exact.
    EXPECT_EQ(in_use(), mine);
    EXPECT_EQ(binmalloc_check_heap(), 0);
    EXPECT_EQ(c.delta().remote_frees, kBatch - 1);
    binmalloc_free(owned[kBatch - 1]);  // the batch is full: all of it goes back
    EXPECT_EQ(in_use(), mine - kBatch * kChunk);
    for (size_t i = kBatch; i < kBatch + 10; i++) binmalloc_free(owned[i]);
    EXPECT_EQ(in_use(), mine - kBatch * kChunk);
    EXPECT_EQ(binmalloc_check_heap(), 0);
    binmalloc_tcache_flush();  // returns what is held too
    EXPECT_EQ(in_use(), mine - (kBatch + 10) * kChunk);
    for (size_t i = kBatch + 10; i < owned.size(); i++) binmalloc_free(owned[i]);
    EXPECT_EQ(c.delta().remote_frees, owned.size());
    EXPECT_EQ(binmalloc_check_heap(), 0);
    binmalloc_free(anchor);
  }).join();  // the exit returns the last ones
  EXPECT_EQ(in_use(), all - owned.size() * kChunk);
  EXPECT_EQ(binmalloc_check_heap(), 0);
  // The returned chunks serve the owner again.
  for (auto &p : owned) p = binmalloc_malloc(kRequest);
  EXPECT_EQ(in_use(), all);
  for (auto *p : owned) binmalloc_free(p);
  EXPECT_EQ(binmalloc_check_heap(), 0);
}

TEST(RemoteFree, HeldChunksComeFromOneArenaAndStayUnderTheByteBound) {
  binmalloc_tcache_flush();  // no chunk of another arena left in this thread's cache
  make_arenas(2);
  std::vector<void *> small(8), large(8);
  for (auto &p : small) p = binmalloc_malloc(kRequest);
  for (auto &p : large) p = binmalloc_malloc(kLarge);
  // A chunk of a third arena, whose thread stays alive (attached) meanwhile.
  void *other = nullptr;
  std::atomic<int> phase{0};
  std::thread helper([&] {
    other = binmalloc_malloc(kRequest);
    phase = 1;
    while (phase != 2) std::this_thread::yield();
  });
  while (phase != 1) std::this_thread::yield();
  size_t all = in_use();
  std::thread([&] {
    binmalloc_free(binmalloc_malloc(16));  // sets up this thread's cache and arena
    size_t mine = in_use();
    for (size_t i = 0; i < 4; i++) binmalloc_free(small[i]);
    EXPECT_EQ(in_use(), mine);
    binmalloc_free(other);  // another owner: the four go back, this one is held
    EXPECT_EQ(in_use(), mine - 4 * kChunk);
    binmalloc_free(large[0]);  // the main arena again: `other` goes back
    EXPECT_EQ(in_use(), mine - 5 * kChunk);
    binmalloc_free(small[4]);
    EXPECT_EQ(in_use(), mine - 5 * kChunk);
    binmalloc_free(large[1]);  // 2 x 40016 + 2016 bytes: over 64 KiB, all three go back
    EXPECT_EQ(in_use(), mine - 6 * kChunk - 2 * kLargeChunk);
    void *own = binmalloc_malloc(kLarge);
    size_t with_own = in_use();
    binmalloc_free(own);  // this thread's own arena: freed at once
    EXPECT_EQ(in_use(), with_own - kLargeChunk);
    EXPECT_EQ(binmalloc_check_heap(), 0);
  }).join();
  EXPECT_EQ(in_use(), all - 6 * kChunk - 2 * kLargeChunk);  // the exit returned the rest
  phase = 2;
  helper.join();
  for (size_t i = 5; i < 8; i++) binmalloc_free(small[i]);
  for (size_t i = 2; i < 8; i++) binmalloc_free(large[i]);
  EXPECT_EQ(binmalloc_check_heap(), 0);
}

TEST(RemoteFree, SmallChunksGoBackAsOneChainPerFullBin) {
  make_arenas(1);
  constexpr size_t kSmall = 64;  // an 80-byte chunk: fastbin-sized
  constexpr size_t kCount = 800;
  constexpr size_t kDepth = 7;  // the bin's fixed depth: a thread that only frees never deepens it
  binmalloc_tcache_flush();     // this thread's bins at their starting depths, empty
  // Its storage first: a request of 1 KiB or more consolidates the arena's
  // fastbins, and the chunks could then come back split elsewhere.
  std::vector<void *> again(kCount + kDepth);
  std::vector<void *> owned(kCount);
  for (auto &p : owned) p = binmalloc_malloc(kSmall);
  // A malloc may be served a chunk 16 bytes larger (a remainder too small to
  // split stays with it): those go back to another bin.
  size_t usable = SIZE_MAX;
  for (auto *p : owned) usable = std::min(usable, binmalloc_malloc_usable_size(p));
  std::vector<void *> exact;
  for (auto *p : owned)
    if (binmalloc_malloc_usable_size(p) == usable) exact.push_back(p);
  EXPECT_GE(exact.size(), kCount - kDepth);
  std::thread([&] {
    binmalloc_free(binmalloc_malloc(16));  // sets up this thread's cache and arena
    Counters c;
    uint64_t flushes = Counters::now().tcache_flushes;
    for (auto *p : owned) binmalloc_free(p);
    binmalloc_stats_t s = Counters::now();
    // The first 7 fill the bin; from then on every 7th free finds it full
    // and sends the 7 back in one chain (before: each of those frees pushed
    // its own chunk onto the owner's fastbin).
    EXPECT_EQ(s.tcache_flushes - flushes, (kCount - 1) / kDepth);
    EXPECT_EQ(c.delta().remote_frees, (kCount - 1) / kDepth * kDepth);
    EXPECT_LE(s.tcache_cached_chunks, kDepth + 1);  // this bin and the 16-byte one
    EXPECT_EQ(binmalloc_check_heap(), 0);
  }).join();  // the exit returns the rest
  EXPECT_EQ(binmalloc_check_heap(), 0);
  // All of them serve the owner again.  This thread's bin may still hold
  // the few chunks a fastbin stash put in it (at most its fixed depth): they
  // come first.
  for (auto &p : again) p = binmalloc_malloc(kSmall);
  std::sort(exact.begin(), exact.end());
  std::sort(again.begin(), again.end());
  EXPECT_TRUE(std::includes(again.begin(), again.end(), exact.begin(), exact.end()));
  for (auto *p : again) binmalloc_free(p);
  EXPECT_EQ(binmalloc_check_heap(), 0);
}

TEST(RemoteFree, ForkWhileChunksAreHeld) {
  std::vector<void *> owned(10);
  for (auto &p : owned) p = binmalloc_malloc(kRequest);
  std::thread([&] {
    for (auto *p : owned) binmalloc_free(p);  // 10 held
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      // The child's only thread still holds them: they go back and serve again.
      int bad = binmalloc_check_heap();
      binmalloc_tcache_flush();
      bad |= binmalloc_check_heap();
      std::vector<void *> v(200);
      for (auto &p : v) p = binmalloc_malloc(kRequest);
      for (auto *p : v) binmalloc_free(p);
      _exit(bad == 0 && binmalloc_check_heap() == 0 ? 0 : 3);
    }
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status)) << "child died with signal " << WTERMSIG(status);
    EXPECT_EQ(WEXITSTATUS(status), 0);
  }).join();
  EXPECT_EQ(binmalloc_check_heap(), 0);
}

TEST(RemoteFreeDeath, DoubleFreeOfAHeldChunk) {
  EXPECT_DEATH(
      {
        void *p = binmalloc_malloc(kLarge);
        std::thread([&] {
          binmalloc_free(p);
          binmalloc_free(p);
        }).join();
      },
      "free\\(\\): double free detected in tcache 2");
}

TEST(RemoteFreeDeath, DoubleFreeOfAHeldChunkThroughTheCache) {
  // A size the cache serves, with room in its bin at the second free: the
  // chunk carries the cache key, is not in the bin but among the held ones.
  EXPECT_DEATH(
      {
        void *p = binmalloc_malloc(3000);
        std::thread([&] {
          for (int r = 0; r < 3; r++) {  // the bin proves hot and opens at 2, then holds 2
            void *a = binmalloc_malloc(3000), *b = binmalloc_malloc(3000);
            binmalloc_free(a);
            binmalloc_free(b);
          }
          binmalloc_free(p);                 // the bin is full: held
          void *x = binmalloc_malloc(3000);  // room in the bin again
          binmalloc_free(p);
          binmalloc_free(x);
        }).join();
      },
      "free\\(\\): double free detected in tcache 2");
}

// An arena whose threads have all exited has nobody to reuse its free
// chunks but the threads that free them: past the bin's fixed depth, other
// threads' caches send them back instead of keeping them, so that the arena
// can coalesce and trim them. While a thread is attached to the arena, they
// are kept as deep as the bin goes.
namespace {

constexpr size_t kHot = 100;  // a 112-byte chunk
constexpr size_t kHotChunk = 112;
constexpr size_t kHeld = 100;
constexpr size_t kFixed = 7;  // the bin's fixed depth

// Deepens this thread's bin of kHot bytes past twice kHeld chunks (a deep
// bin takes another live arena's chunks up to half its depth), then takes
// them all out again: the bin is empty and deep.
std::vector<void *> deepen_and_empty() {
  bmtest::cycle(kHot, 2 * kHeld, 9);
  std::vector<void *> v(2 * kHeld);
  for (auto &p : v) p = binmalloc_malloc(kHot);
  return v;
}

uint64_t cached() {
  return Counters::now().tcache_cached_chunks;
}

uintptr_t heap_of(const void *p) {
  return reinterpret_cast<uintptr_t>(p) & ~((uintptr_t{64} << 20) - 1);  // HEAP_MAX_SIZE
}

// A thread that allocates kHeld chunks in an arena of its own, then stays
// attached to it until release().
class Owner {
 public:
  Owner() : chunks_(kHeld) {
    thread_ = std::thread([this] {
      for (auto &p : chunks_) p = binmalloc_malloc(kHot);
      phase_ = 1;
      while (phase_ != 2) std::this_thread::yield();
    });
    while (phase_ != 1) std::this_thread::yield();
  }
  ~Owner() { release(); }
  void release() {
    phase_ = 2;
    if (thread_.joinable()) thread_.join();
  }
  std::vector<void *> &chunks() { return chunks_; }

 private:
  std::vector<void *> chunks_;
  std::atomic<int> phase_{0};
  std::thread thread_;
};

}  // namespace

TEST(RemoteFree, AnArenaWithoutThreadsGetsItsChunksBackPastTheFixedDepth) {
  binmalloc_tcache_flush();
  std::vector<void *> own = deepen_and_empty();
  ASSERT_GE(Counters::now().tcache_grown_bytes, 2 * kHeld * kHotChunk);
  Owner owner;
  std::vector<void *> theirs = owner.chunks();
  ASSERT_NE(heap_of(theirs[0]), heap_of(own[0]));  // another arena (a non-main one)
  // Its thread is alive: the chunks are kept, all of them.
  uint64_t before = cached();
  for (auto *p : theirs) binmalloc_free(p);
  EXPECT_EQ(cached() - before, kHeld);
  for (auto &p : theirs) p = binmalloc_malloc(kHot);  // the same chunks, from the cache
  EXPECT_EQ(cached(), before);
  EXPECT_EQ(binmalloc_check_heap(), 0);
  owner.release();  // the arena has no thread now
  size_t used = in_use();
  before = cached();
  for (auto *p : theirs) binmalloc_free(p);
  EXPECT_EQ(cached() - before, kFixed);
  EXPECT_EQ(in_use(), used - (kHeld - kFixed) * kHotChunk);  // back in the arena
  EXPECT_EQ(binmalloc_check_heap(), 0);
  // A new thread takes the arena over: its chunks are kept deep again.
  binmalloc_tcache_flush();
  own = deepen_and_empty();
  Owner next;
  EXPECT_EQ(heap_of(next.chunks()[0]), heap_of(theirs[0]));
  before = cached();
  for (auto *p : next.chunks()) binmalloc_free(p);
  EXPECT_EQ(cached() - before, kHeld);
  EXPECT_EQ(binmalloc_check_heap(), 0);
  next.release();
  for (auto *p : own) binmalloc_free(p);
  EXPECT_EQ(binmalloc_check_heap(), 0);
}

TEST(RemoteFree, AForkedChildGivesBackTheChunksOfArenasItsThreadsLeft) {
  binmalloc_tcache_flush();
  void *mine = binmalloc_malloc(16);  // this thread takes its arena before the owner does
  Owner owner;                        // alive in the parent, gone in the child
  ASSERT_NE(heap_of(owner.chunks()[0]), heap_of(mine));
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    std::vector<void *> own = deepen_and_empty();
    uint64_t before = cached();
    for (auto *p : owner.chunks()) binmalloc_free(p);
    bool kept_fixed = cached() - before == kFixed;
    for (auto *p : own) binmalloc_free(p);
    _exit(kept_fixed && binmalloc_check_heap() == 0 ? 0 : 3);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << "child died with signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 0);
  // In the parent the owner is alive: its chunks are kept deep.
  std::vector<void *> own = deepen_and_empty();
  uint64_t before = cached();
  for (auto *p : owner.chunks()) binmalloc_free(p);
  EXPECT_EQ(cached() - before, kHeld);
  for (auto *p : own) binmalloc_free(p);
  binmalloc_free(mine);
  EXPECT_EQ(binmalloc_check_heap(), 0);
}

// With threads, a malloc that refills its cache from a fastbin moves the
// fastbin's whole list to the arena's backlog in one exchange and takes its
// run from there; another thread's pushes meanwhile go onto the emptied
// fastbin and wait until the backlog is used up. Every chunk comes back once,
// the backlog's first; the heap check and mallinfo2 see the backlog, and
// malloc_trim coalesces it with the fastbins.
TEST(RemoteFree, ARefillMovesTheFastbinToTheBacklogAndServesItFirst) {
  constexpr size_t kSize = 64, kChunkSize = 80;              // fastbin-sized
  constexpr size_t kOwn = 50, kPushed = 5, kServed = 1 + 7;  // one served, glibc's 7 stashed
  std::thread([&] {
    binmalloc_free(binmalloc_malloc(16));  // this thread's cache and arena
    std::vector<void *> own = own_fastbin_chunks(kOwn, kSize), pushed = own_fastbin_chunks(kPushed, kSize);
    free_to_own_fastbin(own);
    size_t fast_before = binmalloc_mallinfo2().fsmblks;
    // fastbin_takes lies past the counters Counters::delta() subtracts.
    const uint64_t takes = Counters::now().fastbin_takes;
    std::vector<void *> got{binmalloc_malloc(kSize)};
    EXPECT_EQ(Counters::now().fastbin_takes - takes, 1u);
    EXPECT_EQ(binmalloc_mallinfo2().fsmblks, fast_before - kServed * kChunkSize);  // the backlog counts
    EXPECT_EQ(binmalloc_check_heap(), 0);
    std::thread([&] {
      binmalloc_free(binmalloc_malloc(16));
      for (auto *p : pushed) binmalloc_free(p);  // into this thread's cache
      binmalloc_tcache_flush();                  // onto the owner's fastbin, without its lock
    }).join();
    for (size_t i = 1; i < kOwn; i++) got.push_back(binmalloc_malloc(kSize));
    EXPECT_EQ(Counters::now().fastbin_takes - takes, 1u) << "the backlog serves before the fastbin";
    std::vector<void *> first = got, last;
    for (size_t i = 0; i < kPushed; i++) last.push_back(binmalloc_malloc(kSize));
    EXPECT_EQ(Counters::now().fastbin_takes - takes, 2u);
    std::sort(own.begin(), own.end());
    std::sort(first.begin(), first.end());
    std::sort(pushed.begin(), pushed.end());
    std::sort(last.begin(), last.end());
    EXPECT_EQ(first, own);  // each chunk once: none lost, none served twice
    EXPECT_EQ(last, pushed);
    EXPECT_EQ(binmalloc_check_heap(), 0);
    for (auto *p : first) binmalloc_free(p);
    for (auto *p : last) binmalloc_free(p);
  }).join();
  EXPECT_EQ(binmalloc_check_heap(), 0);
}

TEST(RemoteFree, MallocTrimCoalescesTheFastbinBacklog) {
  constexpr size_t kSize = 64;
  std::thread([&] {
    binmalloc_free(binmalloc_malloc(16));
    std::thread([] { binmalloc_free(binmalloc_malloc(16)); }).join();  // the process has threads
    std::vector<void *> own = own_fastbin_chunks(40, kSize);
    free_to_own_fastbin(own);
    void *served = binmalloc_malloc(kSize);  // 8 leave, 32 wait in the backlog
    ASSERT_GT(binmalloc_mallinfo2().fsmblks, 0u);
    binmalloc_malloc_trim(0);
    EXPECT_EQ(binmalloc_mallinfo2().fsmblks, 0u) << "the backlog was left out of the consolidation";
    EXPECT_EQ(binmalloc_check_heap(), 0);
    binmalloc_free(served);
  }).join();
  EXPECT_EQ(binmalloc_check_heap(), 0);
}

// The same with real concurrency: a producer allocates fastbin-sized chunks
// and writes its id into each; a consumer on another thread checks the id and
// frees them, so its cache pushes them back onto the producer's fastbin in
// chains while the producer pops runs.  A chunk lost or handed out twice shows
// as a wrong id, a heap check failure or a crash.  How many refills lost
// their swap depends on how often the two threads overlapped: 18,000-22,000
// in 200,000 chunks on two idle cores, none in some runs.
TEST(RemoteFree, AProducerAndAConsumerShareAFastbin) {
  constexpr size_t kSize = 64;  // an 80-byte chunk: fastbin-sized
  constexpr size_t kRing = 4096;
  constexpr uint64_t kChunks = 200000;
  std::vector<std::atomic<void *>> ring(kRing);
  for (auto &slot : ring) slot.store(nullptr);
  std::atomic<bool> done{false};
  std::atomic<uint64_t> wrong{0}, consumed{0};
  std::thread consumer([&] {
    binmalloc_free(binmalloc_malloc(16));  // its own cache and arena
    uint64_t expect = 0;
    size_t at = 0;
    for (;;) {
      void *p = ring[at].exchange(nullptr, std::memory_order_acquire);
      if (!p) {
        if (done.load(std::memory_order_acquire) && !ring[at].load()) break;
        std::this_thread::yield();
        continue;
      }
      if (*static_cast<uint64_t *>(p) != expect) wrong++;
      expect++;
      binmalloc_free(p);
      at = (at + 1) % kRing;
    }
    consumed = expect;
  });
  uint64_t id = 0;
  uint64_t takes = Counters::now().fastbin_takes;
  std::thread producer([&] {
    binmalloc_free(binmalloc_malloc(16));
    size_t at = 0;
    for (; id < kChunks; id++) {
      auto *p = static_cast<uint64_t *>(binmalloc_malloc(kSize));
      *p = id;
      while (ring[at].load(std::memory_order_acquire)) std::this_thread::yield();
      ring[at].store(p, std::memory_order_release);
      at = (at + 1) % kRing;
    }
    done = true;
  });
  producer.join();
  consumer.join();
  EXPECT_EQ(wrong.load(), 0u);
  EXPECT_EQ(consumed.load(), id);
  EXPECT_EQ(binmalloc_check_heap(), 0);
  takes = Counters::now().fastbin_takes - takes;
  EXPECT_GT(takes, 0u);  // the producer's refills took the consumer's chains
  std::printf("%llu chunks, %llu fastbin lists moved to the backlog\n", static_cast<unsigned long long>(kChunks),
              static_cast<unsigned long long>(takes));
}
