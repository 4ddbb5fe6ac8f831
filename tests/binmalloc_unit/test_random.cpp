// Randomized operation sequences with binmalloc_check_heap() after every step
// (or every k steps), pattern-checked contents, several seeds and threads.
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <random>
#include <thread>
#include <vector>

#include "tests/binmalloc_unit/helpers.h"

namespace {

struct Block {
  char *p = nullptr;
  size_t n = 0;
  uint32_t id = 0;
  size_t align = 0;
};

size_t random_size(std::mt19937_64 &rng) {
  unsigned k = rng() % 1000;
  if (k < 400) return rng() % 129;             // tcache / fastbins
  if (k < 650) return 129 + rng() % 904;       // tcache / small bins
  if (k < 850) return 1033 + rng() % 7000;     // small / large bins
  if (k < 960) return 8000 + rng() % 92000;    // large bins
  if (k < 990) return 100000 + rng() % 60000;  // around the mmap threshold
  return 160000 + rng() % 240000;              // mmapped
}

// Runs ops operations; checks the heap every check_every steps (0 = never).
void run_sequence(uint64_t seed, size_t ops, size_t check_every, size_t max_live) {
  std::mt19937_64 rng(seed);
  std::vector<Block> live;
  uint32_t next_id = static_cast<uint32_t>(seed * 1000003);
  for (size_t step = 0; step < ops; step++) {
    unsigned op = rng() % 100;
    if (live.size() >= max_live) op = 50;  // force a free
    if (op < 40 || live.empty()) {
      Block b;
      b.n = random_size(rng);
      b.id = next_id++;
      b.p = static_cast<char *>(binmalloc_malloc(b.n));
      ASSERT_NE(b.p, nullptr);
      bmtest::fill_pattern(b.p, b.n, b.id);
      live.push_back(b);
    } else if (op < 45) {
      Block b;
      b.n = random_size(rng) / 2;
      b.id = next_id++;
      size_t count = 1 + rng() % 4;
      b.n = b.n / count * count;
      b.p = static_cast<char *>(binmalloc_calloc(count, b.n / count));
      ASSERT_NE(b.p, nullptr);
      for (size_t i = 0; i < b.n; i++)
        ASSERT_EQ(b.p[i], 0) << "calloc not zeroed, seed " << seed << " step " << step << " byte " << i << " of "
                             << b.n;
      bmtest::fill_pattern(b.p, b.n, b.id);
      live.push_back(b);
    } else if (op < 50) {
      Block b;
      b.n = random_size(rng) / 4;
      b.id = next_id++;
      b.align = size_t{1} << (rng() % 13);
      void *m = nullptr;
      switch (rng() % 3) {
        case 0:
          m = binmalloc_memalign(b.align, b.n);
          break;
        case 1:
          if (b.align < sizeof(void *)) b.align = sizeof(void *);
          ASSERT_EQ(binmalloc_posix_memalign(&m, b.align, b.n), 0);
          break;
        default:
          m = binmalloc_aligned_alloc(b.align, b.n);
          break;
      }
      b.p = static_cast<char *>(m);
      ASSERT_NE(b.p, nullptr);
      ASSERT_EQ(reinterpret_cast<uintptr_t>(b.p) % b.align, 0u);
      bmtest::fill_pattern(b.p, b.n, b.id);
      live.push_back(b);
    } else if (op < 85) {
      size_t i = rng() % live.size();
      Block b = live[i];
      ASSERT_TRUE(bmtest::check_pattern(b.p, b.n, b.id))
          << "corrupted block before free, seed " << seed << " step " << step;
      binmalloc_free(b.p);
      live[i] = live.back();
      live.pop_back();
    } else {
      size_t i = rng() % live.size();
      Block &b = live[i];
      size_t n = (rng() % 4 == 0) ? random_size(rng) : b.n + (rng() % 2000) - std::min<size_t>(b.n, 1000);
      if (n == 0) n = 1;
      char *q = static_cast<char *>(binmalloc_realloc(b.p, n));
      ASSERT_NE(q, nullptr);
      ASSERT_TRUE(bmtest::check_pattern(q, std::min(n, b.n), b.id))
          << "realloc lost data, seed " << seed << " step " << step;
      b.p = q;
      b.n = n;
      b.id = next_id++;
      bmtest::fill_pattern(b.p, b.n, b.id);
    }
    if (check_every && step % check_every == 0) {
      ASSERT_EQ(binmalloc_check_heap(), 0);
    }
  }
  for (Block &b : live) {
    ASSERT_TRUE(bmtest::check_pattern(b.p, b.n, b.id));
    binmalloc_free(b.p);
  }
  ASSERT_EQ(binmalloc_check_heap(), 0);
}

TEST(Random, LongSequenceCheckEveryStep) {
  run_sequence(1, 100000, 1, 300);
}

TEST(Random, SeedsCheckEvery16) {
  for (uint64_t seed = 2; seed < 7; seed++) run_sequence(seed, 60000, 16, 600);
}

TEST(Random, ManySmallLiveBlocks) {
  run_sequence(99, 100000, 64, 4000);
}

TEST(Random, TrimAndCheck) {
  run_sequence(7, 20000, 1, 200);
  binmalloc_malloc_trim(0);
  ASSERT_EQ(binmalloc_check_heap(), 0);
  run_sequence(8, 20000, 1, 200);
}

TEST(Random, ThreadsWithCrossThreadFrees) {
  constexpr int kThreads = 4;
  constexpr size_t kSlots = 512;
  std::vector<std::atomic<char *>> exchange(kSlots);
  for (auto &e : exchange) e.store(nullptr);
  std::atomic<bool> failed{false};
  auto worker = [&](uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::vector<std::pair<char *, size_t>> mine;
    for (int i = 0; i < 60000; i++) {
      unsigned op = rng() % 10;
      if (op < 4) {
        size_t n = random_size(rng);
        char *p = static_cast<char *>(binmalloc_malloc(n));
        if (!p) failed = true;
        memset(p, static_cast<int>(n & 0xff), std::min<size_t>(n, 256));
        mine.emplace_back(p, n);
      } else if (op < 7 && !mine.empty()) {
        size_t k = rng() % mine.size();
        auto [p, n] = mine[k];
        for (size_t j = 0; j < std::min<size_t>(n, 256); j++)
          if (static_cast<unsigned char>(p[j]) != (n & 0xff)) failed = true;
        binmalloc_free(p);
        mine[k] = mine.back();
        mine.pop_back();
      } else if (op < 9) {
        // hand a block to another thread through the exchange
        char *p = static_cast<char *>(binmalloc_malloc(rng() % 3000));
        char *old = exchange[rng() % kSlots].exchange(p);
        binmalloc_free(old);
      } else if (!mine.empty()) {
        size_t k = rng() % mine.size();
        size_t n = random_size(rng) + 1;
        char *q = static_cast<char *>(binmalloc_realloc(mine[k].first, n));
        if (!q) failed = true;
        memset(q, static_cast<int>(n & 0xff), std::min<size_t>(n, 256));
        mine[k] = {q, n};
      }
    }
    for (auto &[p, n] : mine) binmalloc_free(p);
  };
  for (int round = 0; round < 2; round++) {
    std::vector<std::thread> ts;
    for (int t = 0; t < kThreads; t++) ts.emplace_back(worker, 1000 + round * 10 + t);
    for (int i = 0; i < 20; i++) {
      ASSERT_EQ(binmalloc_check_heap(), 0);  // concurrently with the workers
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    for (auto &t : ts) t.join();
    ASSERT_EQ(binmalloc_check_heap(), 0);
  }
  EXPECT_FALSE(failed.load());
  for (auto &e : exchange) binmalloc_free(e.exchange(nullptr));
  ASSERT_EQ(binmalloc_check_heap(), 0);
}

}  // namespace
