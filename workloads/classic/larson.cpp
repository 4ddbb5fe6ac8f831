// larson: the server simulation of Larson & Krishnan (1998). --threads N
// chains each own an array of slots filled before the window; a chain's
// thread replaces random slots (free, then a new block of random size, of
// which it writes the first `write` bytes) `ops` times, then exits and a new
// thread takes over the same slots ("bleeding"), so blocks are freed by a
// thread that did not allocate them and every thread starts with cold caches.
// Op-count based (chains x lives x ops) for determinism.
#include <cstring>
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
    lives_ = p.u("lives");
    per_life_ = p.u("ops");
    write_ = p.u("write");
    const size_t slots = p.u("slots");
    const uint64_t lo = p.u("min"), hi = p.u("max") > p.u("min") ? p.u("max") - 1 : p.u("min");
    arrays_.assign(static_cast<size_t>(T), std::vector<Block>(slots));
    stream_.resize(static_cast<size_t>(T));
    for (int a = 0; a < T; ++a) {
      Rng rng(thread_seed(ctx.seed(), a));
      for (auto& b : arrays_[static_cast<size_t>(a)]) {
        b.size = rng.uniform(lo, hi);
        b.p = setup_malloc(ctx.stats(a), b.size);
        std::memset(b.p, 'a', b.size < write_ || write_ == 0 ? b.size : write_);
      }
      auto& s = stream_[static_cast<size_t>(a)];
      s.resize(lives_ * per_life_);
      for (auto& op : s)
        op = {static_cast<uint32_t>(rng.uniform(0, slots - 1)), static_cast<uint32_t>(rng.uniform(lo, hi))};
    }
  }

  void run(RunContext& ctx) override {
    // Each chain's driver starts one thread per life and waits for it: the
    // slots pass from a thread that has exited to a fresh one.
    ctx.parallel([&](int c) {
      for (uint64_t life = 0; life < lives_; ++life) {
        std::thread th([&, c, life] { live(ctx.stats(c), static_cast<size_t>(c), life); });
        th.join();
      }
    });
  }

  void finish(RunContext& ctx) override {
    for (size_t a = 0; a < arrays_.size(); ++a) free_blocks(ctx.stats(static_cast<int>(a)), arrays_[a]);
  }

 private:
  struct Op {
    uint32_t slot, size;
  };

  void live(ThreadStats& st, size_t chain, uint64_t life) {
    auto& arr = arrays_[chain];
    const Op* op = stream_[chain].data() + life * per_life_;
    for (uint64_t i = 0; i < per_life_; ++i, ++op) {
      Block& b = arr[op->slot];
      a_free(st, b.p, b.size);
      b.size = op->size;
      b.p = a_malloc(st, b.size);
      if (write_ == 0) {
        touch(b.p, b.size, 'a');
      } else {
        auto* c = static_cast<volatile char*>(b.p);
        for (size_t k = 0; k < write_ && k < b.size; ++k) c[k] = static_cast<char>('a' + k);
      }
    }
    st.flush();
  }

  uint64_t lives_ = 0, per_life_ = 0;
  size_t write_ = 2;
  std::vector<std::vector<Block>> arrays_;
  std::vector<std::vector<Op>> stream_;
};

ALLOCSCOPE_WORKLOAD({
    .name = "larson",
    .category = "classic",
    .doc = "server simulation (Larson & Krishnan 1998): --threads N chains of threads replace "
           "random slots of 5000 with [8,1000) B blocks, writing 2 B of each; after `ops` a "
           "thread exits and a new one takes over its slots (bleeding); ops = mallocs + frees",
    .params = {{"lives", ParamType::Int, "3", "threads per chain, one after another", 1, 1e6},
               {"ops", ParamType::Int, "500000", "slot replacements per thread life", 1, 1e9},
               {"slots", ParamType::Int, "5000", "slots per chain", 1, 1e7},
               {"min", ParamType::Size, "8", "smallest request", 1, 1 << 30},
               {"max", ParamType::Size, "1000", "requests are in [min, max)", 1, 1 << 30},
               {"write", ParamType::Size, "2", "bytes written at the start of each block; 0 = all", 0, 1 << 30}},
    .multithreaded = true,
    .make = [] { return std::make_unique<Larson>(); },
    .validate = validate_min_max,
    .scale = "ops",
});

}  // namespace
}  // namespace allocscope
