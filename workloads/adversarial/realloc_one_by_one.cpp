// realloc-one-by-one: several arrays grown one element at a time with
// realloc, interleaved so that no array can always grow in place. Stresses
// realloc's in-place growth, copying and, for large arrays, mremap. Reports
// realloc_moved_ratio (fraction of reallocs that returned a new address).
#include "allocscope/alloc_ops.hpp"
#include "allocscope/workload.hpp"

namespace allocscope {
namespace {

class ReallocOneByOne : public Workload {
 public:
  void prepare(RunContext& ctx) override { arrays_.assign(ctx.params().u("arrays"), Block{}); }

  void run(RunContext& ctx) override {
    ThreadStats& st = ctx.stats(0);
    const auto& p = ctx.params();
    const size_t elem = p.u("elem");
    uint64_t moved = 0, calls = 0;
    for (uint64_t n = 1; n <= p.u("elements"); ++n)
      for (auto& a : arrays_) {
        void* q = a_realloc(st, a.p, a.size, n * elem);
        moved += a.p != nullptr && q != a.p;
        ++calls;
        a = {q, n * elem};
        static_cast<volatile char*>(q)[n * elem - 1] = static_cast<char>(n);  // write the new element
      }
    ctx.report("realloc_moved_ratio", static_cast<double>(moved) / static_cast<double>(calls));
    for (auto& a : arrays_) free_block(st, a);
  }

 private:
  std::vector<Block> arrays_;
};

ALLOCSCOPE_WORKLOAD({
    .name = "realloc-one-by-one",
    .category = "adversarial",
    .doc = "pathology: realloc one element at a time; interleaved arrays grown by one 8 B "
           "element per realloc up to 100 k elements: copies, in-place growth, mremap "
           "(realloc_moved_ratio; ops = reallocs + frees)",
    .params = {{"elements", ParamType::Int, "100000", "final elements per array", 1, 1e9},
               {"elem", ParamType::Size, "8", "element size", 1, 1 << 20},
               {"arrays", ParamType::Int, "4", "arrays grown in turn", 1, 1e6}},
    .multithreaded = false,
    .make = [] { return std::make_unique<ReallocOneByOne>(); },
});

}  // namespace
}  // namespace allocscope
