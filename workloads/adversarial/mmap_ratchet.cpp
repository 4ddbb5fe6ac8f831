// mmap-ratchet: glibc raises its mmap threshold when a mmapped block is
// freed; after freeing one 1 MiB block, later 1 MiB blocks come from the
// heap. Interleaved with small long-lived records they cannot be returned
// when freed. ratchet=0 skips the first free for comparison. Reports
// rss_retained_bytes (after the big blocks are freed, records still live).
#include "allocscope/alloc_ops.hpp"
#include "allocscope/sysmem.hpp"
#include "allocscope/workload.hpp"

namespace allocscope {
namespace {

class MmapRatchet : public Workload {
 public:
  void prepare(RunContext& ctx) override {
    big_.assign(ctx.params().u("count"), Block{});
    small_.assign(big_.size(), Block{});
  }

  void run(RunContext& ctx) override {
    ThreadStats& st = ctx.stats(0);
    const auto& p = ctx.params();
    const size_t size = p.u("size");
    if (p.b("ratchet")) {  // one mmapped block, freed: raises the threshold
      void* first = a_malloc(st, size);
      touch(first, size, 1);
      a_free(st, first, size);
    }
    for (uint64_t r = 0; r < p.u("rounds"); ++r) {
      for (size_t i = 0; i < big_.size(); ++i) {
        big_[i] = {a_malloc(st, size), size};
        touch(big_[i].p, size, 2);
        if (r == 0) {  // a small long-lived record after each buffer
          small_[i] = {a_malloc(st, 64), 64};
          touch(small_[i].p, 64, 3);
        }
      }
      for (auto& b : big_) free_block(st, b);
    }
    ctx.report("rss_retained_bytes", static_cast<double>(self_rss_bytes()));
    for (auto& b : small_) free_block(st, b);
  }

 private:
  std::vector<Block> big_, small_;
};

ALLOCSCOPE_WORKLOAD({
    .name = "mmap-ratchet",
    .category = "adversarial",
    .doc = "pathology: mmap threshold ratchet; after one 1 MiB mmapped block is freed, 1 MiB "
           "blocks come from the heap and, pinned by small live records, stay resident "
           "(rss_retained_bytes; ratchet=0 for the control)",
    .params = {{"count", ParamType::Int, "64", "big blocks live at once", 1, 1e6},
               {"size", ParamType::Size, "1M", "big block size", 1, 1ULL << 34},
               {"rounds", ParamType::Int, "4", "allocate-all/free-all rounds", 1, 1e6},
               {"ratchet", ParamType::Bool, "1", "free one mmapped block first", 0, 1}},
    .multithreaded = false,
    .make = [] { return std::make_unique<MmapRatchet>(); },
    .scale = "rounds",
});

}  // namespace
}  // namespace allocscope
