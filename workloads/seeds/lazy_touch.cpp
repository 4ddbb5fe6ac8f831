// lazy-touch: malloc gives virtual memory; physical pages arrive on first
// write, one minor fault per page (fewer with transparent huge pages). A
// large block is allocated and measured untouched, then every page is
// written. Reports untouched_rss_delta_bytes (~0), touched_rss_delta_bytes
// (~size) and faults_per_page (getrusage minflt over the touch / pages).
#include <sys/mman.h>

#include "allocscope/alloc_ops.hpp"
#include "allocscope/sysmem.hpp"
#include "allocscope/workload.hpp"

namespace allocscope {
namespace {

class LazyTouch : public Workload {
 public:
  void run(RunContext& ctx) override {
    ThreadStats& st = ctx.stats(0);
    const auto& p = ctx.params();
    const size_t size = p.u("size");
    const uint64_t rss0 = self_rss_bytes();
    void* b = a_malloc(st, size);
    const uint64_t rss1 = self_rss_bytes();
    if (p.b("thp"))
      ::madvise(reinterpret_cast<void*>(reinterpret_cast<uintptr_t>(b) & ~(page_size() - 1)), size, MADV_HUGEPAGE);
    const uint64_t f0 = self_minor_faults();
    touch(b, size, 0x77);
    const uint64_t f1 = self_minor_faults();
    const uint64_t rss2 = self_rss_bytes();
    ctx.mark_peak();
    const double pages = static_cast<double>((size + page_size() - 1) / page_size());
    ctx.report("untouched_rss_delta_bytes", static_cast<double>(rss1) - static_cast<double>(rss0));
    ctx.report("touched_rss_delta_bytes", static_cast<double>(rss2) - static_cast<double>(rss1));
    ctx.report("faults_per_page", static_cast<double>(f1 - f0) / pages);
    a_free(st, b, size);
  }
};

ALLOCSCOPE_WORKLOAD({
    .name = "lazy-touch",
    .category = "seeds",
    .doc = "lazy physical allocation: a large block adds virtual size but no RSS until written; "
           "writing costs one minor fault per page, fewer with THP (untouched_rss_delta_bytes, "
           "touched_rss_delta_bytes, faults_per_page)",
    .params = {{"size", ParamType::Size, "256M", "block size", 4096, 1ULL << 40},
               {"thp", ParamType::Bool, "0", "madvise(MADV_HUGEPAGE) the block before touching", 0, 1}},
    .multithreaded = false,
    .make = [] { return std::make_unique<LazyTouch>(); },
});

}  // namespace
}  // namespace allocscope
