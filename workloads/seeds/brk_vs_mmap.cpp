// brk-vs-mmap: glibc serves requests below its mmap threshold (128 KiB by
// default) from the brk heap and larger ones with one mmap each, returned by
// munmap on free; freeing a mmapped block raises the threshold, so later
// rounds of the same size move to the heap. Allocates `count` blocks of one
// size, writes them, frees them, `rounds` times: parametrize size and read
// the job's syscalls (brk, mmap, munmap).
#include "allocscope/alloc_ops.hpp"
#include "allocscope/workload.hpp"

namespace allocscope {
namespace {

class BrkVsMmap : public Workload {
 public:
  void prepare(RunContext& ctx) override { blocks_.assign(ctx.params().u("count"), nullptr); }

  void run(RunContext& ctx) override {
    ThreadStats& st = ctx.stats(0);
    const auto& p = ctx.params();
    const size_t size = p.u("size");
    for (uint64_t r = 0; r < p.u("rounds"); ++r) {
      for (auto& b : blocks_) {
        b = a_malloc(st, size);
        touch(b, size, 3);
      }
      for (auto* b : blocks_) a_free(st, b, size);
    }
  }

 private:
  std::vector<void*> blocks_;
};

ALLOCSCOPE_WORKLOAD({
    .name = "brk-vs-mmap",
    .category = "seeds",
    .doc = "brk vs mmap at the 128 KiB threshold: count blocks of one size allocated, written "
           "and freed; below the threshold the heap grows by brk, above it each block is an "
           "mmap/munmap (see syscalls; later rounds show the threshold moving)",
    .params = {{"size", ParamType::Size, "256K", "block size (try 64K and 256K)", 1, 1ULL << 36},
               {"count", ParamType::Int, "64", "blocks live at once", 1, 1e8},
               {"rounds", ParamType::Int, "1", "allocate-all/free-all rounds", 1, 1e6}},
    .multithreaded = false,
    .make = [] { return std::make_unique<BrkVsMmap>(); },
    .scale = "rounds",
});

}  // namespace
}  // namespace allocscope
