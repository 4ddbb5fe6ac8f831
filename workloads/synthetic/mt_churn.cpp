// mt-churn: every thread churns its own working set (no sharing); with more
// threads, arena/cache scalability and per-thread memory retention show.
#include <cstdlib>

#include "allocscope/exit_codes.hpp"
#include "allocscope/rng.hpp"
#include "allocscope/workload.hpp"
#include "slot_block.hpp"

namespace allocscope {
namespace {

class MtChurn : public Workload {
 public:
  void prepare(RunContext& ctx) override {
    const auto& p = ctx.params();
    per_thread_ = p.u("ops") / static_cast<uint64_t>(ctx.threads());
    plans_.resize(static_cast<size_t>(ctx.threads()));
    for (int t = 0; t < ctx.threads(); ++t) {
      Rng rng(thread_seed(ctx.seed(), t));
      Plan& plan = plans_[static_cast<size_t>(t)];
      plan.slots.assign(p.u("slots"), synthetic::Block{});
      plan.slot_of.resize(per_thread_);
      for (auto& s : plan.slot_of) s = static_cast<uint32_t>(rng.uniform(0, plan.slots.size() - 1));
      plan.size_of = uniform_sizes(rng, per_thread_, p.u("min"), p.u("max"));
    }
  }

  void run(RunContext& ctx) override {
    ctx.parallel([&](int t) {
      Plan& plan = plans_[static_cast<size_t>(t)];
      ThreadStats& st = ctx.stats(t);
      for (uint64_t i = 0; i < per_thread_; ++i)
        synthetic::replace_block(st, plan.slots[plan.slot_of[i]], plan.size_of[i], static_cast<unsigned char>(i));
    });
  }

  void finish(RunContext& ctx) override {
    for (size_t t = 0; t < plans_.size(); ++t) synthetic::free_blocks(ctx.stats(static_cast<int>(t)), plans_[t].slots);
  }

 private:
  struct alignas(64) Plan {  // one per thread: no false sharing
    std::vector<synthetic::Block> slots;
    std::vector<uint32_t> slot_of, size_of;
  };
  uint64_t per_thread_ = 0;
  std::vector<Plan> plans_;
};

ALLOCSCOPE_WORKLOAD({
    .name = "mt-churn",
    .category = "synthetic",
    .doc = "each thread churns a private working set of uniform random sizes; thread "
           "scalability of arenas and thread caches",
    .params = {{"ops", ParamType::Int, "2000000", "operations in total, split over threads", 1, 1e10},
               {"slots", ParamType::Int, "4096", "live blocks per thread", 1, 1e8},
               {"min", ParamType::Size, "16", "smallest request", 1, 1 << 30},
               {"max", ParamType::Size, "4096", "largest request", 1, 1 << 30}},
    .multithreaded = true,
    .make = [] { return std::make_unique<MtChurn>(); },
    .validate = validate_min_max,
});

}  // namespace
}  // namespace allocscope
