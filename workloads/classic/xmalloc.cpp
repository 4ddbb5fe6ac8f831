// xmalloc: the producer/consumer test of Lever & Boreham. Each producer
// allocates fixed-size blocks and pushes them through a bounded queue to its
// consumer, which frees them: every free is remote. Op-count based.
#include "allocscope/alloc_ops.hpp"
#include "allocscope/spsc_ring.hpp"
#include "allocscope/workload.hpp"

namespace allocscope {
namespace {

class Xmalloc : public Workload {
 public:
  void prepare(RunContext& ctx) override {
    const auto& p = ctx.params();
    pairs_ = ctx.threads();
    per_producer_ = p.u("blocks") / static_cast<uint64_t>(pairs_);
    size_ = p.u("size");
    for (int i = 0; i < pairs_; ++i) rings_.push_back(std::make_unique<SpscRing>(p.u("queue")));
  }

  void run(RunContext& ctx) override {
    // Threads 0..pairs-1 produce, pairs..2*pairs-1 consume.
    ctx.parallel(2 * pairs_, [&](int tid) {
      ThreadStats& st = ctx.stats(tid);
      SpscRing& q = *rings_[static_cast<size_t>(tid % pairs_)];
      if (tid < pairs_) {
        for (uint64_t i = 0; i < per_producer_; ++i) {
          void* b = a_malloc(st, size_);
          touch(b, size_, static_cast<unsigned char>(i));
          q.push(b);
        }
      } else {
        for (uint64_t i = 0; i < per_producer_; ++i) {
          void* b = q.pop();
          static_cast<volatile unsigned char*>(b)[0] = 0;
          a_free(st, b, size_);
        }
      }
    });
  }

 private:
  int pairs_ = 1;
  uint64_t per_producer_ = 0, size_ = 64;
  std::vector<std::unique_ptr<SpscRing>> rings_;
};

ALLOCSCOPE_WORKLOAD({
    .name = "xmalloc",
    .category = "classic",
    .doc = "producer/consumer (Lever & Boreham xmalloc-test): --threads N producer-consumer "
           "pairs pass fixed-size blocks through a bounded queue; every free is remote",
    .params = {{"blocks", ParamType::Int, "400000", "blocks produced in total, split over pairs", 1, 1e10},
               {"size", ParamType::Size, "64", "block size", 1, 1 << 30},
               {"queue", ParamType::Int, "1024", "queue capacity (bounds the live set)", 1, 1e8}},
    .multithreaded = true,
    .make = [] { return std::make_unique<Xmalloc>(); },
});

}  // namespace
}  // namespace allocscope
