// allocscope-micro: Google Benchmark micro-benchmarks of the allocator
// linked or preloaded into this process (`allocscope micro` runs it under
// every allocator by LD_PRELOAD and merges the results). Each benchmark
// writes to what it allocates; sizes and orders are generated outside the
// timed loop.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#include "allocscope/rng.hpp"
#include "allocscope/size_dist.hpp"
#include "allocscope/spsc_ring.hpp"

namespace {

using allocscope::Rng;

void escape(void* p) {
  benchmark::DoNotOptimize(p);
}

// One malloc/free pair of a fixed size per iteration.
void BM_malloc_free(benchmark::State& state) {
  const size_t size = static_cast<size_t>(state.range(0));
  for (auto _ : state) {
    void* p = std::malloc(size);
    static_cast<volatile char*>(p)[0] = 1;
    escape(p);
    std::free(p);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["bytes_per_op"] = static_cast<double>(size);
}
BENCHMARK(BM_malloc_free)->RangeMultiplier(2)->Range(8, 1 << 16)->Arg(1 << 18)->Arg(1 << 20);

// calloc/free pairs: zeroing cost and whether fresh pages skip it.
void BM_calloc_free(benchmark::State& state) {
  const size_t size = static_cast<size_t>(state.range(0));
  for (auto _ : state) {
    void* p = std::calloc(1, size);
    escape(p);
    std::free(p);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_calloc_free)->Arg(16)->Arg(256)->Arg(4096)->Arg(65536)->Arg(1 << 20);

// A batch of n blocks allocated, then freed in LIFO, FIFO or random order.
enum Order { kLifo = 0, kFifo = 1, kRandom = 2 };
void BM_batch(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  const auto order = static_cast<Order>(state.range(1));
  Rng rng(42);
  const auto sizes = allocscope::draw_sizes(rng, n, "skewed", 16, 512);
  std::vector<uint32_t> free_order = allocscope::permutation(rng, n);
  if (order == kLifo)
    for (size_t i = 0; i < n; ++i) free_order[i] = static_cast<uint32_t>(n - 1 - i);
  if (order == kFifo)
    for (size_t i = 0; i < n; ++i) free_order[i] = static_cast<uint32_t>(i);
  std::vector<void*> ptrs(n);
  for (auto _ : state) {
    for (size_t i = 0; i < n; ++i) {
      ptrs[i] = std::malloc(sizes[i]);
      static_cast<volatile char*>(ptrs[i])[0] = 1;
    }
    for (uint32_t i : free_order) std::free(ptrs[i]);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(n));
}
BENCHMARK(BM_batch)->ArgNames({"n", "order"})->ArgsProduct({{1000, 100000}, {kLifo, kFifo, kRandom}});

// A buffer grown by realloc in steps of `step` bytes up to 1 MiB.
void BM_realloc_growth(benchmark::State& state) {
  const size_t step = static_cast<size_t>(state.range(0));
  constexpr size_t kMax = 1 << 20;
  for (auto _ : state) {
    char* p = nullptr;
    for (size_t n = step; n <= kMax; n += step) {
      p = static_cast<char*>(std::realloc(p, n));
      p[n - 1] = 1;
    }
    std::free(p);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(kMax / step));
}
BENCHMARK(BM_realloc_growth)->Arg(64)->Arg(4096);

// posix_memalign/free pairs at a given alignment (64 B object).
void BM_aligned(benchmark::State& state) {
  const size_t align = static_cast<size_t>(state.range(0));
  for (auto _ : state) {
    void* p = nullptr;
    if (posix_memalign(&p, align, 64) != 0) state.SkipWithError("posix_memalign failed");
    static_cast<volatile char*>(p)[0] = 1;
    std::free(p);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_aligned)->Arg(16)->Arg(64)->Arg(4096)->Arg(65536);

// Cross-thread free: this thread allocates, a helper thread frees what it
// receives through a bounded queue (the remote-free path).
void BM_cross_thread_free(benchmark::State& state) {
  const size_t size = static_cast<size_t>(state.range(0));
  allocscope::SpscRing q(4096);
  std::thread freer([&] {
    for (;;) {
      void* p = q.pop();
      if (!p) break;
      std::free(p);
    }
  });
  for (auto _ : state) {
    void* p = std::malloc(size);
    static_cast<volatile char*>(p)[0] = 1;
    q.push(p);
  }
  q.push(nullptr);
  freer.join();
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_cross_thread_free)->Arg(16)->Arg(256)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
