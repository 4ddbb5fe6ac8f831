// realloc-doubling: a buffer doubled by realloc from 16 B up to a large size,
// the new half written each time, repeated. Above the mmap threshold glibc
// moves it with mremap (no copy); others copy or grow in place. Reports
// realloc_moved_ratio; the syscalls show mremap versus mmap+munmap.
#include "allocscope/alloc_ops.hpp"
#include "allocscope/workload.hpp"

namespace allocscope {
namespace {

class ReallocDoubling : public Workload {
 public:
  void run(RunContext& ctx) override {
    ThreadStats& st = ctx.stats(0);
    const auto& p = ctx.params();
    uint64_t moved = 0, calls = 0;
    for (uint64_t r = 0; r < p.u("rounds"); ++r) {
      Block b{a_malloc(st, 16), 16};
      touch(b.p, 16, 1);
      while (b.size * 2 <= p.u("max")) {
        void* q = a_realloc(st, b.p, b.size, b.size * 2);
        moved += q != b.p;
        ++calls;
        touch(static_cast<char*>(q) + b.size, b.size, static_cast<unsigned char>(r));
        b = {q, b.size * 2};
      }
      free_block(st, b);
    }
    ctx.report("realloc_moved_ratio", calls ? static_cast<double>(moved) / static_cast<double>(calls) : 0.0);
  }
};

ALLOCSCOPE_WORKLOAD({
    .name = "realloc-doubling",
    .category = "adversarial",
    .doc = "pathology: doubling realloc; a buffer doubled from 16 B to max (1 GiB in the "
           "report), new half written: mremap versus copying (realloc_moved_ratio, syscalls)",
    .params = {{"max", ParamType::Size, "64M", "final size", 32, 1ULL << 40},
               {"rounds", ParamType::Int, "3", "times the doubling is repeated", 1, 1e6}},
    .multithreaded = false,
    .make = [] { return std::make_unique<ReallocDoubling>(); },
    .scale = "rounds",
});

}  // namespace
}  // namespace allocscope
