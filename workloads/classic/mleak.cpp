// mleak: many rounds of short-lived threads; each frees the block a thread
// of the previous round left for it, churns some blocks, and leaves one
// behind for the next round. Shows what an allocator keeps after its threads
// exit (thread caches, arenas); reports rss_retained_bytes.
#include <thread>

#include "allocscope/alloc_ops.hpp"
#include "allocscope/size_dist.hpp"
#include "allocscope/sysmem.hpp"
#include "allocscope/workload.hpp"

namespace allocscope {
namespace {

class Mleak : public Workload {
 public:
  void prepare(RunContext& ctx) override {
    const auto& p = ctx.params();
    rounds_ = p.u("rounds");
    allocs_ = p.u("allocs");
    const size_t T = static_cast<size_t>(ctx.threads());
    left_.assign(T, Block{});
    next_.assign(T, Block{});
    scratch_.assign(T, std::vector<Block>(allocs_));
    sizes_.resize(rounds_ * T);
    for (size_t i = 0; i < sizes_.size(); ++i) {
      Rng rng(thread_seed(ctx.seed(), static_cast<int>(i)));
      sizes_[i] = draw_sizes(rng, allocs_, "uniform", p.u("min"), p.u("max"));
    }
  }

  void run(RunContext& ctx) override {
    const size_t T = static_cast<size_t>(ctx.threads());
    ctx.window_begin();
    for (uint64_t r = 0; r < rounds_; ++r) {
      std::vector<std::thread> pool;
      for (size_t t = 0; t < T; ++t)
        pool.emplace_back([&, t, r] {
          ThreadStats& st = ctx.stats(static_cast<int>(t));
          free_block(st, left_[t]);  // left by a thread of the previous round
          const auto& sz = sizes_[r * T + t];
          auto& mine = scratch_[t];
          for (size_t i = 0; i < allocs_; ++i) {
            mine[i].size = sz[i];
            mine[i].p = a_malloc(st, sz[i]);
            touch(mine[i].p, sz[i], 7);
          }
          for (size_t i = 1; i < allocs_; ++i) free_block(st, mine[i]);
          next_[(t + 1) % T] = mine[0];  // left behind for another thread
          st.flush();
        });
      for (auto& th : pool) th.join();
      left_.swap(next_);
    }
    ctx.window_end();
    ctx.report("rss_retained_bytes", static_cast<double>(self_rss_bytes()));
  }

  void finish(RunContext& ctx) override {
    for (auto& b : left_) setup_free(ctx.stats(0), b.p, b.size), b = Block{};
  }

 private:
  uint64_t rounds_ = 0;
  size_t allocs_ = 0;
  std::vector<Block> left_, next_;
  std::vector<std::vector<Block>> scratch_;
  std::vector<std::vector<uint32_t>> sizes_;
};

ALLOCSCOPE_WORKLOAD({
    .name = "mleak",
    .category = "classic",
    .doc = "thread churn: rounds of short-lived threads each churn blocks and leave one for a "
           "thread of the next round to free; memory kept after threads exit (rss_retained_bytes)",
    .params = {{"rounds", ParamType::Int, "200", "rounds of new threads", 1, 1e7},
               {"allocs", ParamType::Int, "1000", "blocks allocated per thread", 1, 1e8},
               {"min", ParamType::Size, "16", "smallest request", 1, 1 << 30},
               {"max", ParamType::Size, "2048", "largest request", 1, 1 << 30}},
    .multithreaded = true,
    .make = [] { return std::make_unique<Mleak>(); },
    .validate = validate_min_max,
    .scale = "rounds",
});

}  // namespace
}  // namespace allocscope
