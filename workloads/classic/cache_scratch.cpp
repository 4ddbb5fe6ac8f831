// cache-scratch: Hoard's passive false-sharing test. The main thread
// allocates one small object per thread (neighbours in memory) and hands them
// out; each thread frees its object, then repeatedly allocates an object of
// the same size, writes to it heavily and frees it. An allocator that hands a
// thread the memory it just got back from another thread's line keeps the
// threads writing to one cache line.
#include "allocscope/alloc_ops.hpp"
#include "allocscope/workload.hpp"

namespace allocscope {
namespace {

void write_hard(void* p, size_t n, uint64_t writes) {
  auto* c = static_cast<volatile unsigned char*>(p);
  for (uint64_t w = 0; w < writes; ++w)
    for (size_t i = 0; i < n; ++i) c[i] = static_cast<unsigned char>(c[i] + 1);
}

class CacheScratch : public Workload {
 public:
  void prepare(RunContext& ctx) override {
    const auto& p = ctx.params();
    size_ = p.u("size");
    for (int t = 0; t < ctx.threads(); ++t) {
      void* o = setup_malloc(ctx.stats(0), size_);
      touch(o, size_, 0);
      handed_.push_back(o);
    }
  }

  void run(RunContext& ctx) override {
    const auto& p = ctx.params();
    const uint64_t iters = p.u("iterations"), writes = p.u("writes");
    ctx.parallel([&](int t) {
      ThreadStats& st = ctx.stats(t);
      void* first = handed_[static_cast<size_t>(t)];
      write_hard(first, size_, writes);
      a_free(st, first, size_);
      for (uint64_t i = 0; i < iters; ++i) {
        void* o = a_malloc(st, size_);
        write_hard(o, size_, writes);
        a_free(st, o, size_);
      }
    });
  }

 private:
  size_t size_ = 8;
  std::vector<void*> handed_;
};

ALLOCSCOPE_WORKLOAD({
    .name = "cache-scratch",
    .category = "classic",
    .doc = "Hoard cache-scratch: passive false sharing; threads free objects the main thread "
           "allocated side by side, then allocate, write hard and free their own; slow if the "
           "allocator reuses another thread's cache line",
    .params = {{"iterations", ParamType::Int, "60000", "allocate-write-free cycles per thread", 1, 1e9},
               {"writes", ParamType::Int, "500", "writes over each object per cycle", 1, 1e9},
               {"size", ParamType::Size, "8", "object size", 1, 1 << 20}},
    .multithreaded = true,
    .make = [] { return std::make_unique<CacheScratch>(); },
    .scale = "iterations",
});

}  // namespace
}  // namespace allocscope
