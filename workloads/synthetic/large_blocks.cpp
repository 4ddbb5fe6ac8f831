// large-blocks: a small set of big blocks replaced at random: the mmap path
// above the threshold, page faults on first touch, and munmap on free.
#include <cstdlib>

#include "allocscope/exit_codes.hpp"
#include "allocscope/rng.hpp"
#include "allocscope/workload.hpp"
#include "workloads/synthetic/slot_block.hpp"

namespace allocscope {
namespace {

class LargeBlocks : public Workload {
 public:
  void prepare(RunContext& ctx) override {
    const auto& p = ctx.params();
    Rng rng(ctx.seed());
    slots_.assign(p.u("live"), Block{});
    slot_of_.resize(p.u("ops"));
    for (auto& s : slot_of_) s = static_cast<uint32_t>(rng.uniform(0, slots_.size() - 1));
    size_of_.resize(p.u("ops"));
    for (auto& s : size_of_) s = rng.uniform(p.u("min"), p.u("max"));
  }

  void run(RunContext& ctx) override {
    ThreadStats& st = ctx.stats(0);
    for (size_t i = 0; i < slot_of_.size(); ++i) synthetic::replace_block(st, slots_[slot_of_[i]], size_of_[i], 0x5a);
  }

  void finish(RunContext& ctx) override { free_blocks(ctx.stats(0), slots_); }

 private:
  std::vector<Block> slots_;
  std::vector<uint32_t> slot_of_;
  std::vector<uint64_t> size_of_;
};

ALLOCSCOPE_WORKLOAD({
    .name = "large-blocks",
    .category = "synthetic",
    .doc = "replaces random slots among a few live blocks of 256 KiB-4 MiB, every page "
           "touched; the mmap path (threshold, munmap on free, page faults)",
    .params = {{"ops", ParamType::Int, "2000", "block replacements", 1, 1e9},
               {"live", ParamType::Int, "8", "live blocks", 1, 1e6},
               {"min", ParamType::Size, "256K", "smallest request", 1, 1ULL << 40},
               {"max", ParamType::Size, "4M", "largest request", 1, 1ULL << 40}},
    .multithreaded = false,
    .make = [] { return std::make_unique<LargeBlocks>(); },
    .validate = validate_min_max,
    .scale = "ops",
});

}  // namespace
}  // namespace allocscope
