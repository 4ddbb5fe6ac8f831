// mt-churn: every thread churns its own working set (no sharing); with more
// threads, arena/cache scalability and per-thread memory retention show.
#include "allocscope/slot_stream.hpp"
#include "allocscope/workload.hpp"
#include "workloads/synthetic/slot_block.hpp"

namespace allocscope {
namespace {

class MtChurn : public Workload {
 public:
  void prepare(RunContext& ctx) override {
    const auto& p = ctx.params();
    per_thread_ = p.u("ops") / static_cast<uint64_t>(ctx.threads());
    plans_ = draw_slot_streams(ctx, p.u("slots"), per_thread_, "uniform", p.u("min"), p.u("max"));
  }

  void run(RunContext& ctx) override {
    ctx.parallel([&](int t) {
      SlotStream& plan = plans_[static_cast<size_t>(t)];
      ThreadStats& st = ctx.stats(t);
      for (uint64_t i = 0; i < per_thread_; ++i)
        synthetic::replace_block(st, plan.ws[plan.slot[i]], plan.size[i], static_cast<unsigned char>(i));
    });
  }

  void finish(RunContext& ctx) override { free_slot_streams(ctx, plans_); }

 private:
  uint64_t per_thread_ = 0;
  std::vector<SlotStream> plans_;
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
    .scale = "ops",
});

}  // namespace
}  // namespace allocscope
