// bursty-idle: bursts of allocation and free separated by idle gaps
// (sleeps). Time-based purging (jemalloc's dirty decay, mimalloc's purge
// delay, tcmalloc's background release) decides how much stays resident
// while the program idles. Reports rss_before_idle_bytes (right after the
// last burst freed everything) and rss_after_idle_bytes (after the gap and
// `tick` small malloc/free pairs that let a lazy purger run).
#include "allocscope/alloc_ops.hpp"
#include "allocscope/size_dist.hpp"
#include "allocscope/sysmem.hpp"
#include "allocscope/workload.hpp"

namespace allocscope {
namespace {

class BurstyIdle : public Workload {
 public:
  void prepare(RunContext& ctx) override {
    const auto& p = ctx.params();
    Rng rng(ctx.seed());
    sizes_ = draw_sizes(rng, p.u("blocks"), "skewed", p.u("min"), p.u("max"));
    blocks_.assign(sizes_.size(), Block{});
  }

  void run(RunContext& ctx) override {
    ThreadStats& st = ctx.stats(0);
    const auto& p = ctx.params();
    const uint64_t bursts = p.u("bursts");
    uint64_t before = 0;
    for (uint64_t r = 0; r < bursts; ++r) {
      for (size_t i = 0; i < sizes_.size(); ++i) {
        blocks_[i] = {a_malloc(st, sizes_[i]), sizes_[i]};
        touch(blocks_[i].p, sizes_[i], static_cast<unsigned char>(i));
      }
      for (auto& b : blocks_) free_block(st, b);
      if (r + 1 == bursts) before = self_rss_bytes();
      idle_ms(p.d("idle_ms"));
    }
    // Lazy purgers act on allocator activity (jemalloc checks its decay every
    // so many events): give them some before measuring.
    for (uint64_t i = 0; i < p.u("tick"); ++i) a_free(st, a_malloc(st, 64), 64);
    const uint64_t after = self_rss_bytes();
    ctx.report("rss_before_idle_bytes", static_cast<double>(before));
    ctx.report("rss_after_idle_bytes", static_cast<double>(after));
  }

 private:
  std::vector<uint32_t> sizes_;
  std::vector<Block> blocks_;
};

ALLOCSCOPE_WORKLOAD({
    .name = "bursty-idle",
    .category = "adversarial",
    .doc = "pathology: bursty then idle; bursts of alloc/free separated by sleeps: time-based "
           "purging (decay/purge delay) decides RSS while idle (rss_before_idle_bytes, "
           "rss_after_idle_bytes)",
    .params = {{"bursts", ParamType::Int, "2", "bursts, each followed by an idle gap", 1, 1e6},
               {"blocks", ParamType::Int, "100000", "blocks per burst", 1, 1e9},
               {"min", ParamType::Size, "16", "smallest request", 1, 1 << 30},
               {"max", ParamType::Size, "4096", "largest request", 1, 1 << 30},
               {"idle_ms", ParamType::Double, "300", "idle gap after each burst, ms", 0, 3.6e6},
               {"tick", ParamType::Int, "1000", "small malloc/free pairs after the last gap, before measuring", 0,
                1e9}},
    .multithreaded = false,
    .make = [] { return std::make_unique<BurstyIdle>(); },
    .validate = validate_min_max,
});

}  // namespace
}  // namespace allocscope
