// larson: the server simulation of Larson & Krishnan (1998). Each thread owns
// an array of slots and replaces random slots with blocks of random size;
// after every round its slots are handed to a newly created thread
// ("bleeding"), so blocks are freed by threads that did not allocate them.
// Op-count based (fixed rounds x replacements) for determinism.
#include <thread>

#include "allocscope/alloc_ops.hpp"
#include "allocscope/rng.hpp"
#include "allocscope/workload.hpp"

namespace allocscope {
namespace {

class Larson : public Workload {
 public:
  void prepare(RunContext& ctx) override {
    const auto& p = ctx.params();
    const int T = ctx.threads();
    rounds_ = p.u("rounds");
    per_round_ = p.u("ops");
    const size_t slots = p.u("slots");
    arrays_.assign(static_cast<size_t>(T), std::vector<Block>(slots));
    stream_.resize(static_cast<size_t>(T));
    for (int a = 0; a < T; ++a) {
      Rng rng(thread_seed(ctx.seed(), a));
      auto& arr = arrays_[static_cast<size_t>(a)];
      for (auto& b : arr) {
        b.size = rng.uniform(p.u("min"), p.u("max"));
        b.p = setup_malloc(ctx.stats(a), b.size);
        touch(b.p, b.size, 1);
      }
      auto& s = stream_[static_cast<size_t>(a)];
      s.resize(rounds_ * per_round_);
      for (auto& op : s)
        op = {static_cast<uint32_t>(rng.uniform(0, slots - 1)),
              static_cast<uint32_t>(rng.uniform(p.u("min"), p.u("max")))};
    }
  }

  void run(RunContext& ctx) override {
    const int T = ctx.threads();
    ctx.window_begin();
    for (uint64_t r = 0; r < rounds_; ++r) {
      // A fresh set of threads every round; thread t takes over the slots
      // that thread t-1 filled in the previous round.
      std::vector<std::thread> pool;
      for (int t = 0; t < T; ++t)
        pool.emplace_back([&, t, r] {
          const size_t a = (static_cast<size_t>(t) + r) % static_cast<size_t>(T);
          ThreadStats& st = ctx.stats(t);
          auto& arr = arrays_[a];
          const Op* op = stream_[a].data() + r * per_round_;
          for (uint64_t i = 0; i < per_round_; ++i, ++op) {
            Block& b = arr[op->slot];
            a_free(st, b.p, b.size);
            alloc_block(st, b, op->size, static_cast<unsigned char>(i));
          }
          st.flush();
        });
      for (auto& th : pool) th.join();
    }
    ctx.window_end();
  }

  void finish(RunContext& ctx) override {
    for (auto& arr : arrays_)
      for (auto& b : arr) setup_free(ctx.stats(0), b.p, b.size), b = Block{};
  }

 private:
  struct Op {
    uint32_t slot, size;
  };
  uint64_t rounds_ = 0, per_round_ = 0;
  std::vector<std::vector<Block>> arrays_;
  std::vector<std::vector<Op>> stream_;
};

ALLOCSCOPE_WORKLOAD({
    .name = "larson",
    .category = "classic",
    .doc = "server simulation (Larson & Krishnan 1998): threads replace random slots with "
           "8-1000 B blocks; each round the slots pass to new threads (bleeding), so frees are "
           "cross-thread; ops = mallocs + frees",
    .params = {{"rounds", ParamType::Int, "10", "rounds; new threads each round", 1, 1e6},
               {"ops", ParamType::Int, "20000", "slot replacements per thread per round", 1, 1e9},
               {"slots", ParamType::Int, "1000", "slots per thread", 1, 1e7},
               {"min", ParamType::Size, "8", "smallest request", 1, 1 << 30},
               {"max", ParamType::Size, "1000", "largest request", 1, 1 << 30}},
    .multithreaded = true,
    .make = [] { return std::make_unique<Larson>(); },
    .validate = validate_min_max,
});

}  // namespace
}  // namespace allocscope
