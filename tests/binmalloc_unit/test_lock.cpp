// The arena lock (allocator/src/lock.h): a futex mutex whose contended path
// first spins a bounded number of times on the lock word before it sleeps.
// Mutual exclusion is checked by an exact count under contention from more
// threads than cores, where some acquisitions come from the spin and others
// from a futex wake.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

extern "C" {
#include "allocator/src/lock.h"
}

namespace {

struct Shared {
  bm_lock_t lock = BM_LOCK_INIT;
  uint64_t count = 0;  // written only under the lock
  int inside = 0;      // threads inside the critical section (must stay 0 or 1)
  std::atomic<int> overlaps{0};
  std::atomic<int> saw_sleepers{0};  // acquisitions that found a waiter recorded (2)
};

void hammer(Shared &s, int iterations, int hold) {
  for (int i = 0; i < iterations; ++i) {
    bm_lock(&s.lock);
    if (__atomic_add_fetch(&s.inside, 1, __ATOMIC_RELAXED) != 1) s.overlaps.fetch_add(1);
    if (__atomic_load_n(&s.lock.v, __ATOMIC_RELAXED) == 2) s.saw_sleepers.fetch_add(1);
    uint64_t c = s.count;
    for (int k = 0; k < hold; ++k) __asm__ __volatile__("" ::: "memory");  // time inside
    s.count = c + 1;  // two threads inside would lose an update here
    __atomic_sub_fetch(&s.inside, 1, __ATOMIC_RELAXED);
    bm_unlock(&s.lock);
  }
}

int run(int threads, int iterations, int hold) {
  Shared s;
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; ++t) ts.emplace_back(hammer, std::ref(s), iterations, hold);
  for (auto &t : ts) t.join();
  EXPECT_EQ(s.count, static_cast<uint64_t>(threads) * static_cast<uint64_t>(iterations));
  EXPECT_EQ(s.overlaps.load(), 0);
  EXPECT_EQ(s.lock.v, 0);  // released, no waiter left recorded
  return s.saw_sleepers.load();
}

}  // namespace

TEST(ArenaLock, ShortSectionsUnderContentionCountExactly) {
  run(4, 200000, 0);  // sections far shorter than the spin
}

TEST(ArenaLock, LongSectionsWithMoreThreadsThanCoresCountExactly) {
  // holders outlast the spin: waiters sleep and are woken
  EXPECT_GT(run(8, 5000, 20000), 0);
}

TEST(ArenaLock, TrylockFailsWhileHeldAndTheUncontendedPathLeavesNoWaiterMark) {
  bm_lock_t l = BM_LOCK_INIT;
  bm_lock(&l);
  EXPECT_EQ(l.v, 1);
  EXPECT_FALSE(bm_trylock(&l));
  bm_unlock(&l);
  EXPECT_EQ(l.v, 0);
  EXPECT_TRUE(bm_trylock(&l));
  bm_unlock(&l);
}
