// sh8bench-like: sh6bench's shape plus cross-thread frees. Each batch, every
// thread frees half its blocks itself (LIFO) and passes the other half to the
// next thread in a ring, which frees them.
#include <barrier>

#include "allocscope/alloc_ops.hpp"
#include "allocscope/size_dist.hpp"
#include "allocscope/workload.hpp"

namespace allocscope {
namespace {

class Sh8 : public Workload {
 public:
  void prepare(RunContext& ctx) override {
    const auto& p = ctx.params();
    iters_ = p.u("iterations");
    batch_ = p.u("batch");
    const size_t T = static_cast<size_t>(ctx.threads());
    for (size_t t = 0; t < T; ++t) {
      Rng rng(thread_seed(ctx.seed(), static_cast<int>(t)));
      sizes_.push_back(draw_sizes(rng, iters_ * batch_, "skewed", p.u("min"), p.u("max")));
    }
    blocks_.assign(T, std::vector<Block>(batch_));
  }

  void run(RunContext& ctx) override {
    const int T = ctx.threads();
    std::barrier sync(T);
    ctx.parallel([&](int t) {
      ThreadStats& st = ctx.stats(t);
      auto& mine = blocks_[static_cast<size_t>(t)];
      auto& prev = blocks_[static_cast<size_t>((t + T - 1) % T)];
      const uint32_t* sz = sizes_[static_cast<size_t>(t)].data();
      const size_t half = batch_ / 2;
      for (uint64_t it = 0; it < iters_; ++it, sz += batch_) {
        for (size_t i = 0; i < batch_; ++i) {
          mine[i].size = sz[i];
          mine[i].p = a_malloc(st, sz[i]);
          touch(mine[i].p, sz[i], static_cast<unsigned char>(i));
        }
        for (size_t i = batch_; i-- > half;) free_block(st, mine[i]);  // own half, LIFO
        sync.arrive_and_wait();
        for (size_t i = 0; i < half; ++i) free_block(st, prev[i]);  // the neighbour's half
        sync.arrive_and_wait();
      }
    });
  }

 private:
  uint64_t iters_ = 0;
  size_t batch_ = 0;
  std::vector<std::vector<uint32_t>> sizes_;
  std::vector<std::vector<Block>> blocks_;
};

ALLOCSCOPE_WORKLOAD({
    .name = "sh8bench",
    .category = "classic",
    .doc = "sh8bench-like (SmartHeap): sh6bench batches where half of each batch is freed by "
           "the next thread in a ring; remote frees of many sizes",
    .params = {{"iterations", ParamType::Int, "400", "batches per thread", 1, 1e9},
               {"batch", ParamType::Int, "1000", "blocks per batch", 2, 1e8},
               {"min", ParamType::Size, "1", "smallest request", 1, 1 << 30},
               {"max", ParamType::Size, "1000", "largest request", 1, 1 << 30}},
    .multithreaded = true,
    .make = [] { return std::make_unique<Sh8>(); },
    .validate = validate_min_max,
    .scale = "iterations",
});

}  // namespace
}  // namespace allocscope
