// trim: when the free memory at the top of a brk heap exceeds the trim
// threshold (128 KiB by default in glibc), free() shrinks the heap and RSS
// falls. Grows the heap with many small blocks, then frees them all (or all
// but the top-most one with pin_top=1, which blocks the trim). Reports
// rss_before_trim_bytes and rss_after_trim_bytes.
#include "allocscope/alloc_ops.hpp"
#include "allocscope/sysmem.hpp"
#include "allocscope/workload.hpp"

namespace allocscope {
namespace {

class Trim : public Workload {
 public:
  void prepare(RunContext& ctx) override { blocks_.assign(ctx.params().u("count"), Block{}); }

  void run(RunContext& ctx) override {
    ThreadStats& st = ctx.stats(0);
    const auto& p = ctx.params();
    const size_t size = p.u("size");
    for (auto& b : blocks_) {
      b = {a_malloc(st, size), size};
      touch(b.p, size, 5);
    }
    // No ctx.mark_peak(): its snapshot would allocate on top of the heap.
    const uint64_t before = self_rss_bytes();
    const size_t keep = p.b("pin_top") ? 1 : 0;
    // In allocation order: each block merges with the free run below it and
    // the last one with the top chunk. (Top first would leave the top-most
    // blocks in glibc's tcache, which pins the top just like a live block.)
    for (size_t i = 0; i + keep < blocks_.size(); ++i) free_block(st, blocks_[i]);
    const uint64_t after = self_rss_bytes();
    if (keep) free_block(st, blocks_.back());
    ctx.report("rss_before_trim_bytes", static_cast<double>(before));
    ctx.report("rss_after_trim_bytes", static_cast<double>(after));
  }

 private:
  std::vector<Block> blocks_;
};

ALLOCSCOPE_WORKLOAD({
    .name = "trim",
    .category = "seeds",
    .doc = "heap trimming: a brk heap grown by small blocks shrinks when the free top passes "
           "the trim threshold (rss_before_trim_bytes, rss_after_trim_bytes; pin_top=1 keeps "
           "the top block live and blocks the trim)",
    .params = {{"count", ParamType::Int, "100000", "blocks", 2, 1e9},
               {"size", ParamType::Size, "512", "block size (below the mmap threshold)", 1, 1 << 30},
               {"pin_top", ParamType::Bool, "0", "keep the last-allocated block live while measuring", 0, 1}},
    .multithreaded = false,
    .make = [] { return std::make_unique<Trim>(); },
});

}  // namespace
}  // namespace allocscope
