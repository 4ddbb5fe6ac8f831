// arena-blowup: more threads than cores (threads x oversubscribe), in rounds
// like a thread pool whose newly busy threads each parse a big input: every
// thread builds a working set of mixed-size blocks, holds it until all are
// busy, frees it and exits. Memory stays spread over per-thread arenas and
// caches; reports rss_retained_bytes once everything is freed.
#include <barrier>
#include <thread>

#include "allocscope/alloc_ops.hpp"
#include "allocscope/size_dist.hpp"
#include "allocscope/sysmem.hpp"
#include "allocscope/workload.hpp"

namespace allocscope {
namespace {

class ArenaBlowup : public Workload {
 public:
  void prepare(RunContext& ctx) override {
    const auto& p = ctx.params();
    nthreads_ = ctx.threads() * static_cast<int>(p.u("oversubscribe"));
    rounds_ = p.u("rounds");
    ctx.ensure_thread_slots(nthreads_);
    plan_.resize(rounds_ * static_cast<size_t>(nthreads_));
    for (size_t i = 0; i < plan_.size(); ++i) {
      Rng rng(thread_seed(ctx.seed(), static_cast<int>(i)));
      uint64_t total = 0;
      auto& v = plan_[i];
      while (total < p.u("working_set")) {
        v.push_back(static_cast<uint32_t>(size_skewed(rng, p.u("min"), p.u("max"), 2.0)));
        total += v.back();
      }
    }
    blocks_.resize(static_cast<size_t>(nthreads_));
  }

  void run(RunContext& ctx) override {
    const size_t T = static_cast<size_t>(nthreads_);
    ctx.window_begin();
    for (uint64_t r = 0; r < rounds_; ++r) {
      std::barrier busy(nthreads_);
      std::vector<std::thread> pool;
      for (size_t t = 0; t < T; ++t)
        pool.emplace_back([&, t, r] {
          ThreadStats& st = ctx.stats(static_cast<int>(t));
          const auto& sizes = plan_[r * T + t];
          auto& mine = blocks_[t];
          mine.resize(sizes.size());
          for (size_t i = 0; i < sizes.size(); ++i) {
            mine[i] = {a_malloc(st, sizes[i]), sizes[i]};
            touch(mine[i].p, sizes[i], static_cast<unsigned char>(i));
          }
          busy.arrive_and_wait();  // every thread holds its working set
          for (auto& b : mine) free_block(st, b);
          st.flush();
        });
      for (auto& th : pool) th.join();
    }
    ctx.window_end();
    ctx.report("rss_retained_bytes", static_cast<double>(self_rss_bytes()));
  }

 private:
  int nthreads_ = 1;
  uint64_t rounds_ = 0;
  std::vector<std::vector<uint32_t>> plan_;
  std::vector<std::vector<Block>> blocks_;
};

ALLOCSCOPE_WORKLOAD({
    .name = "arena-blowup",
    .category = "adversarial",
    .doc = "pathology: arena blow-up; rounds of threads x oversubscribe short-lived threads "
           "(more than cores) each hold a working set, free it and exit: memory stays spread "
           "over per-thread arenas/caches (rss_retained_bytes)",
    .params = {{"oversubscribe", ParamType::Int, "8", "threads started per --threads", 1, 1024},
               {"rounds", ParamType::Int, "4", "rounds of new threads (thread-pool churn)", 1, 1e6},
               {"working_set", ParamType::Size, "4M", "bytes each thread allocates and holds", 1, 1ULL << 36},
               {"min", ParamType::Size, "32", "smallest request", 1, 1 << 30},
               {"max", ParamType::Size, "8192", "largest request", 1, 1 << 30}},
    .multithreaded = true,
    .make = [] { return std::make_unique<ArenaBlowup>(); },
    .validate = validate_min_max,
    .scale = "rounds",
});

}  // namespace
}  // namespace allocscope
