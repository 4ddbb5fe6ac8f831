// churn: one thread replaces random slots of a working set with blocks of
// random size: the size-class fast path of every allocator (tcache, bins).
#include <cstdlib>

#include "allocscope/exit_codes.hpp"
#include "allocscope/rng.hpp"
#include "allocscope/workload.hpp"
#include "workloads/synthetic/slot_block.hpp"

namespace allocscope {
namespace {

struct ChurnOp {
  uint32_t slot;
  uint32_t size;
};

class Churn : public Workload {
 public:
  void prepare(RunContext& ctx) override {
    const auto& p = ctx.params();
    slots_.assign(p.u("slots"), Block{});
    Rng rng(ctx.seed());
    ops_.resize(p.u("ops"));
    for (auto& op : ops_) {
      op.slot = static_cast<uint32_t>(rng.uniform(0, slots_.size() - 1));
      op.size = static_cast<uint32_t>(rng.uniform(p.u("min"), p.u("max")));
    }
  }

  void run(RunContext& ctx) override {
    ThreadStats& st = ctx.stats(0);
    for (const ChurnOp& op : ops_)
      synthetic::replace_block(st, slots_[op.slot], op.size, static_cast<unsigned char>(op.slot));
  }

  void finish(RunContext& ctx) override { free_blocks(ctx.stats(0), slots_); }

 private:
  std::vector<ChurnOp> ops_;
  std::vector<Block> slots_;
};

ALLOCSCOPE_WORKLOAD({
    .name = "churn",
    .category = "synthetic",
    .doc = "one thread frees and reallocates random slots of a working set with uniform "
           "sizes; stresses the size-class fast path (tcache/bins)",
    .params = {{"ops", ParamType::Int, "2000000", "operations (free+malloc of one slot)", 1, 1e10},
               {"slots", ParamType::Int, "4096", "live blocks in the working set", 1, 1e8},
               {"min", ParamType::Size, "16", "smallest request", 1, 1 << 30},
               {"max", ParamType::Size, "1024", "largest request", 1, 1 << 30}},
    .multithreaded = false,
    .make = [] { return std::make_unique<Churn>(); },
    .validate = validate_min_max,
    .scale = "ops",
});

}  // namespace
}  // namespace allocscope
