// growing-arrays: one thread allocates arrays growing geometrically from
// 20 KB to a large size, copying into each new array and freeing the
// previous one, several times over. Allocators that cache freed spans per
// size class keep every size they saw (reported 7.5 GB RSS for gperftools at
// 500 MB). Reports rss_after_free_all_bytes (peak_rss_bytes against
// live_peak_bytes shows the blow-up during the run).
#include <cstring>

#include "allocscope/alloc_ops.hpp"
#include "allocscope/sysmem.hpp"
#include "allocscope/workload.hpp"

namespace allocscope {
namespace {

class GrowingArrays : public Workload {
 public:
  void prepare(RunContext& ctx) override {
    const auto& p = ctx.params();
    for (double s = static_cast<double>(p.u("min")); s <= static_cast<double>(p.u("max")); s *= p.d("factor"))
      sizes_.push_back(static_cast<size_t>(s));
  }

  void run(RunContext& ctx) override {
    ThreadStats& st = ctx.stats(0);
    for (uint64_t r = 0; r < ctx.params().u("rounds"); ++r) {
      Block prev;
      for (size_t size : sizes_) {
        Block cur{a_malloc(st, size), size};
        if (prev.p) std::memcpy(cur.p, prev.p, prev.size);
        touch(static_cast<char*>(cur.p) + prev.size, size - prev.size, static_cast<unsigned char>(r));
        free_block(st, prev);
        prev = cur;
      }
      free_block(st, prev);
    }
    ctx.report("rss_after_free_all_bytes", static_cast<double>(self_rss_bytes()));
  }

 private:
  std::vector<size_t> sizes_;
};

ALLOCSCOPE_WORKLOAD({
    .name = "growing-arrays",
    .category = "adversarial",
    .doc = "pathology: growing arrays; arrays growing from 20 KB to max, each copied into the "
           "next and freed, repeated: per-size span caches hold every size seen (reported 7.5 GB "
           "for gperftools) (rss_after_free_all_bytes)",
    .params = {{"min", ParamType::Size, "20000", "first array size", 1, 1ULL << 40},
               {"max", ParamType::Size, "64M", "largest array size (the report used 500 MB)", 1, 1ULL << 40},
               {"factor", ParamType::Double, "1.5", "growth factor per step", 1.01, 16},
               {"rounds", ParamType::Int, "3", "times the growth is repeated", 1, 1e6}},
    .multithreaded = false,
    .make = [] { return std::make_unique<GrowingArrays>(); },
    .validate = validate_min_max,
    .scale = "rounds",
});

}  // namespace
}  // namespace allocscope
