// free-all-retention: allocate a large number of small blocks, then free
// them all. Most allocators keep (much of) the memory resident afterwards.
// Reports rss_after_free_all_bytes, read from /proc/self/statm right after
// the last free and before the harness asks the allocator to release.
#include "allocscope/alloc_ops.hpp"
#include "allocscope/sysmem.hpp"
#include "allocscope/workload.hpp"

namespace allocscope {
namespace {

class FreeAllRetention : public Workload {
 public:
  void prepare(RunContext& ctx) override { ptrs_.assign(ctx.params().u("count"), nullptr); }

  void run(RunContext& ctx) override {
    ThreadStats& st = ctx.stats(0);
    const size_t size = ctx.params().u("size");
    for (auto& p : ptrs_) {
      p = a_malloc(st, size);
      touch(p, size, 0x42);
    }
    // No ctx.mark_peak(): its snapshot allocates and would pin a brk heap's top.
    for (auto* p : ptrs_) a_free(st, p, size);
    ctx.report("rss_after_free_all_bytes", static_cast<double>(self_rss_bytes()));
  }

 private:
  std::vector<void*> ptrs_;
};

ALLOCSCOPE_WORKLOAD({
    .name = "free-all-retention",
    .category = "adversarial",
    .doc = "pathology: alloc-all-then-free-all retention; count x 120 B blocks allocated then "
           "all freed: the allocator keeps the memory (rss_after_free_all_bytes)",
    .params = {{"count", ParamType::Int, "1000000", "blocks (the report used 50 M)", 1, 1e10},
               {"size", ParamType::Size, "120", "block size", 1, 1 << 30}},
    .multithreaded = false,
    .make = [] { return std::make_unique<FreeAllRetention>(); },
});

}  // namespace
}  // namespace allocscope
