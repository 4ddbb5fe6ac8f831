// hole-punching: allocate many small blocks, free every other one, then ask
// for blocks slightly larger than the holes. The holes cannot be used (their
// neighbours are live), so the heap grows while half of it is free. Reports
// heap_over_live_ratio: (RSS - RSS before) / live bytes after the refill.
#include "allocscope/alloc_ops.hpp"
#include "allocscope/sysmem.hpp"
#include "allocscope/workload.hpp"

namespace allocscope {
namespace {

class HolePunching : public Workload {
 public:
  void prepare(RunContext& ctx) override {
    const uint64_t n = ctx.params().u("count");
    first_.assign(n, Block{});
    second_.assign(n / 2, Block{});
    base_rss_ = self_rss_bytes();
  }

  void run(RunContext& ctx) override {
    ThreadStats& st = ctx.stats(0);
    const auto& p = ctx.params();
    const size_t size = p.u("size"), bigger = size + p.u("grow");
    for (auto& b : first_) {
      b = {a_malloc(st, size), size};
      touch(b.p, size, 1);
    }
    for (size_t i = 0; i < first_.size(); i += 2) free_block(st, first_[i]);
    for (auto& b : second_) {
      b = {a_malloc(st, bigger), bigger};
      touch(b.p, bigger, 2);
    }
    ctx.mark_peak();
    const double rss = static_cast<double>(self_rss_bytes() - base_rss_);
    ctx.report("heap_over_live_ratio", rss / static_cast<double>(ctx.live_bytes()));
  }

  void finish(RunContext& ctx) override {
    for (auto* v : {&first_, &second_})
      for (auto& b : *v) setup_free(ctx.stats(0), b.p, b.size), b = Block{};
  }

 private:
  std::vector<Block> first_, second_;
  uint64_t base_rss_ = 0;
};

ALLOCSCOPE_WORKLOAD({
    .name = "hole-punching",
    .category = "adversarial",
    .doc = "pathology: hole punching; many small blocks, every other one freed, then requests "
           "slightly larger than the holes: free memory that cannot be used (heap_over_live_ratio)",
    .params = {{"count", ParamType::Int, "400000", "small blocks", 2, 1e9},
               {"size", ParamType::Size, "64", "small block size", 1, 1 << 30},
               {"grow", ParamType::Size, "16", "how much larger the later requests are", 1, 1 << 30}},
    .multithreaded = false,
    .make = [] { return std::make_unique<HolePunching>(); },
});

}  // namespace
}  // namespace allocscope
