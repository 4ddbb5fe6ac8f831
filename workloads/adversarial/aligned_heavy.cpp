// aligned-heavy: a working set churned with posix_memalign at 4 KiB and
// 64 KiB alignment and small-to-medium sizes. Allocators that pad or split
// for alignment waste memory and time. Reports heap_over_live_ratio at the
// end of the window.
#include "allocscope/alloc_ops.hpp"
#include "allocscope/size_dist.hpp"
#include "allocscope/sysmem.hpp"
#include "allocscope/workload.hpp"

namespace allocscope {
namespace {

class AlignedHeavy : public Workload {
 public:
  void prepare(RunContext& ctx) override {
    const auto& p = ctx.params();
    Rng rng(ctx.seed());
    slots_.assign(p.u("slots"), Block{});
    ops_.resize(p.u("ops"));
    const uint64_t big = p.u("align_big"), small = p.u("align_small");
    for (auto& o : ops_) {
      o.slot = static_cast<uint32_t>(rng.uniform(0, slots_.size() - 1));
      o.size = static_cast<uint32_t>(size_skewed(rng, p.u("min"), p.u("max"), 2.0));
      o.align = rng.uniform(0, 3) == 0 ? big : small;  // a quarter at the large alignment
    }
    base_rss_ = self_rss_bytes();
  }

  void run(RunContext& ctx) override {
    ThreadStats& st = ctx.stats(0);
    for (const Op& o : ops_) {
      Block& b = slots_[o.slot];
      free_block(st, b);
      b = {a_aligned(st, o.align, o.size), o.size};
      touch(b.p, o.size, 9);
    }
    const double heap = static_cast<double>(self_rss_bytes() - std::min(self_rss_bytes(), base_rss_));
    ctx.report("heap_over_live_ratio", heap / static_cast<double>(std::max<int64_t>(1, st.live())));
  }

  void finish(RunContext& ctx) override {
    for (auto& b : slots_) setup_free(ctx.stats(0), b.p, b.size), b = Block{};
  }

 private:
  struct Op {
    uint32_t slot, size;
    uint64_t align;
  };
  std::vector<Op> ops_;
  std::vector<Block> slots_;
  uint64_t base_rss_ = 0;
};

bool power_of_two(uint64_t v) {
  return v >= sizeof(void*) && (v & (v - 1)) == 0;
}

ALLOCSCOPE_WORKLOAD({
    .name = "aligned-heavy",
    .category = "adversarial",
    .doc = "pathology: alignment-heavy; a working set churned with posix_memalign at 4 KiB and "
           "64 KiB alignment, 64 B-16 KiB sizes: padding and splitting waste (heap_over_live_ratio)",
    .params = {{"ops", ParamType::Int, "200000", "slot replacements (free + aligned allocation)", 1, 1e10},
               {"slots", ParamType::Int, "2000", "live blocks", 1, 1e8},
               {"min", ParamType::Size, "64", "smallest request", 1, 1 << 30},
               {"max", ParamType::Size, "16K", "largest request", 1, 1 << 30},
               {"align_small", ParamType::Size, "4K", "common alignment (power of two)", 8, 1 << 30},
               {"align_big", ParamType::Size, "64K", "rare alignment (power of two)", 8, 1 << 30}},
    .multithreaded = false,
    .make = [] { return std::make_unique<AlignedHeavy>(); },
    .validate =
        [](const Params& p) {
          validate_min_max(p);
          if (!power_of_two(p.u("align_small")) || !power_of_two(p.u("align_big")))
            throw ParamError("parameters 'align_small' and 'align_big' must be powers of two");
        },
    .scale = "ops",
});

}  // namespace
}  // namespace allocscope
