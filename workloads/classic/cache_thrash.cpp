// cache-thrash: Hoard's active false-sharing test. Every thread repeatedly
// allocates a small object, writes to it heavily and frees it; an allocator
// that places different threads' objects in one cache line makes the lines
// bounce between cores.
#include "allocscope/alloc_ops.hpp"
#include "allocscope/workload.hpp"

namespace allocscope {
namespace {

class CacheThrash : public Workload {
 public:
  void run(RunContext& ctx) override {
    const auto& p = ctx.params();
    const uint64_t iters = p.u("iterations"), writes = p.u("writes");
    const size_t size = p.u("size");
    ctx.parallel([&](int t) {
      ThreadStats& st = ctx.stats(t);
      for (uint64_t i = 0; i < iters; ++i) {
        auto* o = static_cast<volatile unsigned char*>(a_malloc(st, size));
        for (uint64_t w = 0; w < writes; ++w)
          for (size_t k = 0; k < size; ++k) o[k] = static_cast<unsigned char>(o[k] + 1);
        a_free(st, const_cast<unsigned char*>(o), size);
      }
    });
  }
};

ALLOCSCOPE_WORKLOAD({
    .name = "cache-thrash",
    .category = "classic",
    .doc = "Hoard cache-thrash: active false sharing; each thread allocates a small object, "
           "writes it hard and frees it; slow if two threads' objects share a cache line",
    .params = {{"iterations", ParamType::Int, "20000", "allocate-write-free cycles per thread", 1, 1e9},
               {"writes", ParamType::Int, "500", "writes over each object per cycle", 1, 1e9},
               {"size", ParamType::Size, "8", "object size", 1, 1 << 20}},
    .multithreaded = true,
    .make = [] { return std::make_unique<CacheThrash>(); },
    .scale = "iterations",
});

}  // namespace
}  // namespace allocscope
