// sh6bench-like: in the manner of MicroQuill's SmartHeap sh6bench. Each
// thread allocates batches of blocks over many sizes and frees them in LIFO
// order and in allocation (reverse-of-LIFO) order on alternate batches; no
// sharing.
#include "allocscope/alloc_ops.hpp"
#include "allocscope/size_dist.hpp"
#include "allocscope/workload.hpp"

namespace allocscope {
namespace {

class Sh6 : public Workload {
 public:
  void prepare(RunContext& ctx) override {
    const auto& p = ctx.params();
    iters_ = p.u("iterations");
    batch_ = p.u("batch");
    for (int t = 0; t < ctx.threads(); ++t) {
      Rng rng(thread_seed(ctx.seed(), t));
      sizes_.push_back(draw_sizes(rng, iters_ * batch_, "skewed", p.u("min"), p.u("max")));
    }
    ptrs_.assign(static_cast<size_t>(ctx.threads()), std::vector<void*>(batch_));
  }

  void run(RunContext& ctx) override {
    ctx.parallel([&](int t) {
      ThreadStats& st = ctx.stats(t);
      auto& v = ptrs_[static_cast<size_t>(t)];
      const uint32_t* sz = sizes_[static_cast<size_t>(t)].data();
      for (uint64_t it = 0; it < iters_; ++it, sz += batch_) {
        for (size_t i = 0; i < batch_; ++i) {
          v[i] = a_malloc(st, sz[i]);
          touch(v[i], sz[i], static_cast<unsigned char>(i));
        }
        if (it % 2 == 0)
          for (size_t i = batch_; i-- > 0;) a_free(st, v[i], sz[i]);
        else
          for (size_t i = 0; i < batch_; ++i) a_free(st, v[i], sz[i]);
      }
    });
  }

 private:
  uint64_t iters_ = 0;
  size_t batch_ = 0;
  std::vector<std::vector<uint32_t>> sizes_;
  std::vector<std::vector<void*>> ptrs_;
};

ALLOCSCOPE_WORKLOAD({
    .name = "sh6bench",
    .category = "classic",
    .doc = "sh6bench-like (SmartHeap): batches of many sizes (1-1000 B skewed small) freed "
           "alternately in LIFO and in allocation order, per thread, no sharing",
    .params = {{"iterations", ParamType::Int, "400", "batches per thread", 1, 1e9},
               {"batch", ParamType::Int, "1000", "blocks per batch", 1, 1e8},
               {"min", ParamType::Size, "1", "smallest request", 1, 1 << 30},
               {"max", ParamType::Size, "1000", "largest request", 1, 1 << 30}},
    .multithreaded = true,
    .make = [] { return std::make_unique<Sh6>(); },
    .validate = validate_min_max,
    .scale = "iterations",
});

}  // namespace
}  // namespace allocscope
