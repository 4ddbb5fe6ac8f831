// glibc-simple: the shape of glibc's bench-malloc-simple. n mallocs of one
// size then n frees, many times over, either on the main thread (main arena)
// or on one other thread (a thread arena).
#include <thread>

#include "allocscope/alloc_ops.hpp"
#include "allocscope/workload.hpp"

namespace allocscope {
namespace {

class GlibcSimple : public Workload {
 public:
  void prepare(RunContext& ctx) override { ptrs_.resize(ctx.params().u("n")); }

  void run(RunContext& ctx) override {
    const auto& p = ctx.params();
    const uint64_t iters = p.u("iterations");
    const size_t size = p.u("size");
    auto body = [&] {
      ThreadStats& st = ctx.stats(0);
      for (uint64_t it = 0; it < iters; ++it) {
        for (auto& q : ptrs_) {
          q = a_malloc(st, size);
          static_cast<volatile char*>(q)[0] = 1;
        }
        for (auto* q : ptrs_) a_free(st, q, size);
      }
    };
    if (p.s("arena") == "main") {
      body();
    } else {
      std::thread th([&] {
        ctx.window_begin();
        body();
        ctx.window_end();
      });
      th.join();
    }
  }

 private:
  std::vector<void*> ptrs_;
};

ALLOCSCOPE_WORKLOAD({
    .name = "glibc-simple",
    .category = "classic",
    .doc = "glibc bench-malloc-simple shape: n (25/100/400/1600) mallocs of one size then n "
           "frees, repeated; on the main thread (main arena) or another thread (thread arena)",
    .params = {{"n", ParamType::Int, "400", "blocks per batch (glibc uses 25, 100, 400, 1600)", 1, 1e8},
               {"size", ParamType::Size, "16", "block size", 1, 1 << 30},
               {"iterations", ParamType::Int, "80000", "batches (default: a window of 0.2 s or more)", 1, 1e9},
               {"arena", ParamType::String, "main", "main | thread", 0, 0, {"main", "thread"}}},
    .multithreaded = false,
    .make = [] { return std::make_unique<GlibcSimple>(); },
    .scale = "iterations",
});

}  // namespace
}  // namespace allocscope
