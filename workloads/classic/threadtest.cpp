// threadtest: Hoard's scalability test. Each thread repeatedly allocates a
// batch of objects and then frees them all; nothing is shared.
#include "allocscope/alloc_ops.hpp"
#include "allocscope/workload.hpp"

namespace allocscope {
namespace {

class ThreadTest : public Workload {
 public:
  void prepare(RunContext& ctx) override {
    const auto& p = ctx.params();
    iters_ = p.u("iterations");
    per_thread_ = p.u("objects") / static_cast<uint64_t>(ctx.threads());
    size_ = p.u("size");
    ptrs_.assign(static_cast<size_t>(ctx.threads()), std::vector<void*>(per_thread_));
  }

  void run(RunContext& ctx) override {
    ctx.parallel([&](int t) {
      ThreadStats& st = ctx.stats(t);
      auto& v = ptrs_[static_cast<size_t>(t)];
      for (uint64_t it = 0; it < iters_; ++it) {
        for (auto& p : v) {
          p = a_malloc(st, size_);
          touch(p, size_, static_cast<unsigned char>(it));
        }
        for (auto* p : v) a_free(st, p, size_);
      }
    });
  }

 private:
  uint64_t iters_ = 0, per_thread_ = 0, size_ = 0;
  std::vector<std::vector<void*>> ptrs_;
};

ALLOCSCOPE_WORKLOAD({
    .name = "threadtest",
    .category = "classic",
    .doc = "Hoard threadtest: each thread allocates a batch of objects then frees them all, "
           "many times, nothing shared; scalability of the thread-local path",
    .params = {{"iterations", ParamType::Int, "50", "batches per thread", 1, 1e9},
               {"objects", ParamType::Int, "20000", "objects per batch, split over threads", 1, 1e9},
               {"size", ParamType::Size, "64", "object size", 1, 1 << 30}},
    .multithreaded = true,
    .make = [] { return std::make_unique<ThreadTest>(); },
    .scale = "iterations",
});

}  // namespace
}  // namespace allocscope
