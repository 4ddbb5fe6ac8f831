// overcommit: Linux hands out virtual memory far beyond physical memory and
// backs only what is written. Reserves `reserve` bytes in `chunk`-sized
// mallocs (one huge request may be refused by the heuristic overcommit
// check) and writes only `touch` bytes. vm_peak_bytes (reported by the
// runner) far above peak RSS shows it; under --mem-limit below the
// reservation the job ends as oom. Reports reserved_bytes and
// touched_rss_delta_bytes.
#include "allocscope/alloc_ops.hpp"
#include "allocscope/sysmem.hpp"
#include "allocscope/workload.hpp"

namespace allocscope {
namespace {

class Overcommit : public Workload {
 public:
  void run(RunContext& ctx) override {
    ThreadStats& st = ctx.stats(0);
    const auto& p = ctx.params();
    const uint64_t chunk = p.u("chunk");
    uint64_t left = p.u("reserve");
    while (left > 0) {
      const uint64_t n = std::min(chunk, left);
      blocks_.push_back({a_malloc(st, n), n});
      left -= n;
    }
    const uint64_t rss0 = self_rss_bytes();
    uint64_t to_touch = p.u("touch");
    for (auto& b : blocks_) {
      if (to_touch == 0) break;
      const uint64_t n = std::min<uint64_t>(to_touch, b.size);
      touch(b.p, n, 1);
      to_touch -= n;
    }
    ctx.mark_peak();
    ctx.report("reserved_bytes", static_cast<double>(p.u("reserve")));
    ctx.report("touched_rss_delta_bytes", static_cast<double>(self_rss_bytes()) - static_cast<double>(rss0));
    for (auto& b : blocks_) free_block(st, b);
  }

 private:
  std::vector<Block> blocks_;
};

ALLOCSCOPE_WORKLOAD({
    .name = "overcommit",
    .category = "seeds",
    .doc = "overcommit: a virtual reservation far beyond what is written (8 GiB reserved in "
           "1 GiB mallocs, 64 MiB touched): vm_peak_bytes vs RSS; ends as oom under a smaller "
           "--mem-limit (reserved_bytes, touched_rss_delta_bytes)",
    .params = {{"reserve", ParamType::Size, "8G", "bytes reserved (64G needs --mem-limit 0)", 1, 1ULL << 46},
               {"chunk", ParamType::Size, "1G", "bytes per malloc", 1, 1ULL << 46},
               {"touch", ParamType::Size, "64M", "bytes written", 0, 1ULL << 46}},
    .multithreaded = false,
    .make = [] { return std::make_unique<Overcommit>(); },
});

}  // namespace
}  // namespace allocscope
