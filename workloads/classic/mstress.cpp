// mstress-like: in the manner of mimalloc-bench's mstress. Rounds of freshly
// created threads work over a shared transfer pool that outlives them:
// power-of-two sizes with rare x100/x1000/x10000 enlargements, a per-thread
// pointer array grown by realloc, and about a quarter of the steps exchanging
// an object with the pool, so objects move between threads and rounds.
#include <atomic>
#include <cstring>
#include <thread>

#include "allocscope/alloc_ops.hpp"
#include "allocscope/size_dist.hpp"
#include "allocscope/workload.hpp"

namespace allocscope {
namespace {

// Every object records its size in its first 8 bytes so whoever frees it can
// account for it.
void* new_object(ThreadStats& st, size_t size) {
  void* o = a_malloc(st, size);
  touch(o, size, 0x33);
  std::memcpy(o, &size, sizeof size);
  return o;
}
void drop_object(ThreadStats& st, void* o) {
  if (!o) return;
  size_t size;
  std::memcpy(&size, o, sizeof size);
  a_free(st, o, size);
}

class Mstress : public Workload {
 public:
  void prepare(RunContext& ctx) override {
    const auto& p = ctx.params();
    rounds_ = p.u("rounds");
    steps_ = p.u("steps");
    pool_ = std::vector<std::atomic<void*>>(p.u("pool"));
    const size_t T = static_cast<size_t>(ctx.threads());
    plan_.resize(rounds_ * T);
    for (size_t i = 0; i < plan_.size(); ++i) {
      Rng rng(thread_seed(ctx.seed(), static_cast<int>(i)));
      plan_[i].resize(steps_);
      for (auto& s : plan_[i]) {
        const uint64_t roll = rng.uniform(0, 99);
        s.kind = roll < 50 ? 0 : roll < 75 ? 1 : 2;  // allocate | free | exchange
        s.rnd = static_cast<uint32_t>(rng.next());
        s.size = static_cast<uint32_t>(size_pow2_rare_large(rng, p.u("min"), p.u("max")));
      }
    }
  }

  void run(RunContext& ctx) override {
    const size_t T = static_cast<size_t>(ctx.threads());
    ctx.window_begin();
    for (uint64_t r = 0; r < rounds_; ++r) {
      std::vector<std::thread> pool;
      for (size_t t = 0; t < T; ++t)
        pool.emplace_back([&, t, r] { thread_body(ctx.stats(static_cast<int>(t)), plan_[r * T + t]); });
      for (auto& th : pool) th.join();
    }
    ctx.window_end();
  }

  void finish(RunContext& ctx) override {
    for (auto& slot : pool_) drop_object(ctx.stats(0), slot.exchange(nullptr));
  }

 private:
  struct Step {
    uint8_t kind;
    uint32_t rnd, size;
  };

  void thread_body(ThreadStats& st, const std::vector<Step>& steps) {
    size_t cap = 16, n = 0;
    auto** local = static_cast<void**>(a_malloc(st, cap * sizeof(void*)));
    for (const Step& s : steps) {
      if (s.kind == 0 || n == 0) {
        if (n == cap) {  // grow the pointer array by realloc
          local = static_cast<void**>(a_realloc(st, local, cap * sizeof(void*), 2 * cap * sizeof(void*)));
          cap *= 2;
        }
        local[n++] = new_object(st, s.size);
      } else if (s.kind == 1) {
        const size_t k = s.rnd % n;
        drop_object(st, local[k]);
        local[k] = local[--n];
      } else {
        const size_t k = s.rnd % n;
        void* got = pool_[s.rnd % pool_.size()].exchange(local[k], std::memory_order_acq_rel);
        if (got)
          local[k] = got;
        else
          local[k] = local[--n];
      }
    }
    for (size_t i = 0; i < n; ++i) drop_object(st, local[i]);
    a_free(st, local, cap * sizeof(void*));
    st.flush();
  }

  uint64_t rounds_ = 0, steps_ = 0;
  std::vector<std::atomic<void*>> pool_;
  std::vector<std::vector<Step>> plan_;
};

ALLOCSCOPE_WORKLOAD({
    .name = "mstress",
    .category = "classic",
    .doc = "mstress-like (mimalloc-bench): rounds of new threads over a shared pool; pow2 "
           "sizes with rare x100-x10000 enlargements, realloc-grown pointer arrays, 25% of "
           "steps exchange objects between threads",
    .params = {{"rounds", ParamType::Int, "10", "rounds, new threads each", 1, 1e6},
               {"steps", ParamType::Int, "20000", "steps per thread per round", 1, 1e9},
               {"pool", ParamType::Int, "1000", "shared transfer slots", 1, 1e8},
               {"min", ParamType::Size, "16", "smallest base size (>= 8)", 8, 1 << 30},
               {"max", ParamType::Size, "1024", "largest base size", 8, 1 << 30}},
    .multithreaded = true,
    .make = [] { return std::make_unique<Mstress>(); },
    .validate = validate_min_max,
});

}  // namespace
}  // namespace allocscope
