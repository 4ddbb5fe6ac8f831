// producer-consumer-blowup: the Hoard paper's blow-up case. Producers
// allocate bursts of blocks that consumers free; if memory freed by a
// consumer thread is not reusable by the producer, the heap grows with time
// though the live set is bounded by the queue. Reports rss_growth_bytes: RSS
// at the end of the run minus RSS after the first tenth of it.
#include <atomic>

#include "allocscope/alloc_ops.hpp"
#include "allocscope/spsc_ring.hpp"
#include "allocscope/sysmem.hpp"
#include "allocscope/workload.hpp"

namespace allocscope {
namespace {

class PcBlowup : public Workload {
 public:
  void prepare(RunContext& ctx) override {
    const auto& p = ctx.params();
    pairs_ = ctx.threads();
    blocks_ = p.u("blocks") / static_cast<uint64_t>(pairs_);
    size_ = p.u("size");
    burst_ = p.u("burst");
    for (int i = 0; i < pairs_; ++i) rings_.push_back(std::make_unique<SpscRing>(p.u("queue")));
  }

  void run(RunContext& ctx) override {
    ctx.parallel(2 * pairs_, [&](int tid) {
      ThreadStats& st = ctx.stats(tid);
      SpscRing& q = *rings_[static_cast<size_t>(tid % pairs_)];
      if (tid < pairs_) {
        std::vector<void*> burst(burst_);
        for (uint64_t i = 0; i < blocks_;) {
          const uint64_t n = std::min<uint64_t>(burst_, blocks_ - i);
          for (uint64_t k = 0; k < n; ++k) {  // a burst, then hand it over
            burst[k] = a_malloc(st, size_);
            touch(burst[k], size_, static_cast<unsigned char>(k));
          }
          for (uint64_t k = 0; k < n; ++k) q.push(burst[k]);
          i += n;
          if (tid == 0 && i >= blocks_ / 10 && rss_early_.load() == 0) rss_early_ = self_rss_bytes();
        }
      } else {
        for (uint64_t i = 0; i < blocks_; ++i) a_free(st, q.pop(), size_);
      }
    });
    const double early = static_cast<double>(rss_early_.load());
    ctx.report("rss_growth_bytes", static_cast<double>(self_rss_bytes()) - early);
  }

 private:
  int pairs_ = 1;
  uint64_t blocks_ = 0, size_ = 0, burst_ = 0;
  std::atomic<uint64_t> rss_early_{0};
  std::vector<std::unique_ptr<SpscRing>> rings_;
};

ALLOCSCOPE_WORKLOAD({
    .name = "producer-consumer-blowup",
    .category = "adversarial",
    .doc = "pathology: producer-consumer blow-up (Hoard); producers allocate bursts that "
           "consumer threads free; memory freed remotely and not reused by producers makes "
           "RSS grow under a bounded live set (rss_growth_bytes)",
    .params = {{"blocks", ParamType::Int, "1000000", "blocks in total, split over pairs", 1, 1e10},
               {"size", ParamType::Size, "256", "block size", 1, 1 << 30},
               {"burst", ParamType::Int, "4096", "blocks a producer allocates before handing them over", 1, 1e7},
               {"queue", ParamType::Int, "16384", "queue capacity (bounds the live set)", 1, 1e8}},
    .multithreaded = true,
    .make = [] { return std::make_unique<PcBlowup>(); },
    .scale = "blocks",
});

}  // namespace
}  // namespace allocscope
