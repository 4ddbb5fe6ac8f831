// top-pinning: allocate many small blocks, keep only the last (top-most) one
// and free the rest. A brk heap cannot shrink below a live block, so the
// freed memory stays resident until the pin goes (or a trim that punches
// holes). Reports rss_pinned_bytes and rss_unpinned_bytes.
#include "allocscope/alloc_ops.hpp"
#include "allocscope/sysmem.hpp"
#include "allocscope/workload.hpp"

namespace allocscope {
namespace {

class TopPinning : public Workload {
 public:
  void prepare(RunContext& ctx) override { blocks_.assign(ctx.params().u("count"), Block{}); }

  void run(RunContext& ctx) override {
    ThreadStats& st = ctx.stats(0);
    const size_t size = ctx.params().u("size");
    for (auto& b : blocks_) {
      b.size = size;
      b.p = a_malloc(st, size);
      touch(b.p, size, 0x11);
    }
    // No ctx.mark_peak() here: the snapshot allocates, and on a brk heap that
    // would itself pin the top. Measure into locals, report at the end.
    for (size_t i = 0; i + 1 < blocks_.size(); ++i) free_block(st, blocks_[i]);
    const uint64_t pinned = self_rss_bytes();
    free_block(st, blocks_.back());
    const uint64_t unpinned = self_rss_bytes();
    ctx.report("rss_pinned_bytes", static_cast<double>(pinned));
    ctx.report("rss_unpinned_bytes", static_cast<double>(unpinned));
  }

 private:
  std::vector<Block> blocks_;
};

ALLOCSCOPE_WORKLOAD({
    .name = "top-pinning",
    .category = "adversarial",
    .doc = "pathology: top pinning (brk heap); allocates many blocks, frees all but the last "
           "(top-most) one: the heap cannot shrink below it (rss_pinned_bytes vs rss_unpinned_bytes)",
    .params = {{"count", ParamType::Int, "100000", "blocks", 2, 1e9},
               {"size", ParamType::Size, "512", "block size (below the mmap threshold)", 1, 1 << 30}},
    .multithreaded = false,
    .make = [] { return std::make_unique<TopPinning>(); },
});

}  // namespace
}  // namespace allocscope
