// malloc-large: 20 live zeroed buffers of 5-25 MiB, replaced at random: the
// mmap path (mmap/munmap per block in glibc), page faults on first touch and
// the cost of zeroing.
#include "allocscope/alloc_ops.hpp"
#include "allocscope/rng.hpp"
#include "allocscope/workload.hpp"

namespace allocscope {
namespace {

class MallocLarge : public Workload {
 public:
  void prepare(RunContext& ctx) override {
    const auto& p = ctx.params();
    Rng rng(ctx.seed());
    live_.assign(p.u("live"), Block{});
    ops_.resize(p.u("ops"));
    for (auto& o : ops_) o = {rng.uniform(0, live_.size() - 1), rng.uniform(p.u("min"), p.u("max"))};
  }

  void run(RunContext& ctx) override {
    ThreadStats& st = ctx.stats(0);
    for (const auto& [slot, size] : ops_) {
      Block& b = live_[slot];
      free_block(st, b);
      b.size = size;
      b.p = a_calloc(st, 1, size);
      touch(b.p, size, 0x5a);
    }
  }

  void finish(RunContext& ctx) override {
    for (auto& b : live_) setup_free(ctx.stats(0), b.p, b.size), b = Block{};
  }

 private:
  std::vector<Block> live_;
  std::vector<std::pair<uint64_t, uint64_t>> ops_;
};

ALLOCSCOPE_WORKLOAD({
    .name = "malloc-large",
    .category = "classic",
    .doc = "replaces random buffers among 20 live zeroed (calloc) blocks of 5-25 MiB, every "
           "page touched; the mmap path, page faults and zeroing",
    .params = {{"ops", ParamType::Int, "50", "replacements (the original runs 2000)", 1, 1e9},
               {"live", ParamType::Int, "20", "live buffers", 1, 1e6},
               {"min", ParamType::Size, "5M", "smallest buffer", 1, 1ULL << 40},
               {"max", ParamType::Size, "25M", "largest buffer", 1, 1ULL << 40}},
    .multithreaded = false,
    .make = [] { return std::make_unique<MallocLarge>(); },
    .validate = validate_min_max,
    .scale = "ops",
});

}  // namespace
}  // namespace allocscope
