// realloc-growth-mixed: one array grown by one element per realloc, below and
// across the mmap threshold, with a small malloc/free every `every` steps (a
// vector that grows while the program allocates other things). The small
// blocks land next to the array, so growth in place into top competes with
// them; an allocator that copies the array or moves the break back and forth
// pays for every round. Reports realloc_moved_ratio.
#include "allocscope/alloc_ops.hpp"
#include "allocscope/workload.hpp"

namespace allocscope {
namespace {

class ReallocGrowthMixed : public Workload {
 public:
  void prepare(RunContext&) override { small_.assign(8, Block{}); }

  void run(RunContext& ctx) override {
    ThreadStats& st = ctx.stats(0);
    const auto& p = ctx.params();
    const size_t elem = p.u("elem");
    const uint64_t steps = p.u("bytes") / elem;
    const uint64_t every = p.u("every");
    uint64_t moved = 0, calls = 0;
    for (uint64_t r = 0; r < p.u("rounds"); ++r) {
      Block a;
      for (uint64_t n = 1; n <= steps; ++n) {
        void* q = a_realloc(st, a.p, a.size, n * elem);
        moved += a.p != nullptr && q != a.p;
        ++calls;
        a = {q, n * elem};
        static_cast<volatile char*>(q)[n * elem - 1] = static_cast<char>(n);  // write the new element
        if (n % every == 0) {
          Block& s = small_[(n / every) % small_.size()];
          if (s.p) free_block(st, s);
          alloc_block(st, s, 32 + (n * 7) % 200, static_cast<unsigned char>(n));
        }
      }
      free_block(st, a);
    }
    ctx.report("realloc_moved_ratio", static_cast<double>(moved) / static_cast<double>(calls));
    free_blocks(st, small_);
  }

 private:
  std::vector<Block> small_;
};

ALLOCSCOPE_WORKLOAD({
    .name = "realloc-growth-mixed",
    .category = "adversarial",
    .doc = "pathology: one array grown by one 16 B element per realloc to 1.6 MB (below and across "
           "the mmap threshold), a 32-232 B malloc/free every 64 steps, 5 rounds: in-place growth into "
           "top, copies, break movement (realloc_moved_ratio; ops = reallocs + mallocs + frees)",
    .params = {{"bytes", ParamType::Size, "1600000", "final array size", 1, 1e10},
               {"elem", ParamType::Size, "16", "element size", 1, 1 << 20},
               {"every", ParamType::Int, "64", "small malloc/free every this many reallocs", 1, 1e9},
               {"rounds", ParamType::Int, "5", "arrays grown one after the other", 1, 1e6}},
    .multithreaded = false,
    .make = [] { return std::make_unique<ReallocGrowthMixed>(); },
    .scale = "rounds",
});

}  // namespace
}  // namespace allocscope
