// alternating-large-small: rounds of blocks alternating 128 KiB and 512 B
// (kept live), then everything freed. Large blocks near the mmap threshold
// interleaved with small ones defeat both the heap (pinned) and
// segment-based allocators (segments kept partly used). Reports
// heap_over_live_ratio at the peak and rss_after_free_all_bytes.
#include "allocscope/alloc_ops.hpp"
#include "allocscope/sysmem.hpp"
#include "allocscope/workload.hpp"

namespace allocscope {
namespace {

class AlternatingLargeSmall : public Workload {
 public:
  void prepare(RunContext& ctx) override {
    blocks_.assign(ctx.params().u("count"), Block{});
    base_rss_ = self_rss_bytes();
  }

  void run(RunContext& ctx) override {
    ThreadStats& st = ctx.stats(0);
    const auto& p = ctx.params();
    double worst = 0;
    for (uint64_t r = 0; r < p.u("rounds"); ++r) {
      for (size_t i = 0; i < blocks_.size(); ++i) {
        const size_t size = i % 2 == 0 ? p.u("large") : p.u("small");
        blocks_[i] = {a_malloc(st, size), size};
        touch(blocks_[i].p, size, static_cast<unsigned char>(i));
      }
      const double ratio = static_cast<double>(self_rss_bytes() - std::min(self_rss_bytes(), base_rss_)) /
                           static_cast<double>(st.live());
      worst = std::max(worst, ratio);
      for (auto& b : blocks_) free_block(st, b);
    }
    ctx.report("heap_over_live_ratio", worst);
    ctx.report("rss_after_free_all_bytes", static_cast<double>(self_rss_bytes()));
  }

 private:
  std::vector<Block> blocks_;
  uint64_t base_rss_ = 0;
};

ALLOCSCOPE_WORKLOAD({
    .name = "alternating-large-small",
    .category = "adversarial",
    .doc = "pathology: alternating large/small; rounds of blocks alternating 128 KiB and 512 B, "
           "then all freed (reported 19 GB committed for mimalloc at 300 k blocks) "
           "(heap_over_live_ratio, rss_after_free_all_bytes)",
    .params = {{"count", ParamType::Int, "2000", "blocks per round (half large, half small)", 2, 1e9},
               {"rounds", ParamType::Int, "4", "allocate-all/free-all rounds", 1, 1e6},
               {"large", ParamType::Size, "128K", "large block size", 1, 1ULL << 34},
               {"small", ParamType::Size, "512", "small block size", 1, 1ULL << 34}},
    .multithreaded = false,
    .make = [] { return std::make_unique<AlternatingLargeSmall>(); },
    .scale = "rounds",
});

}  // namespace
}  // namespace allocscope
