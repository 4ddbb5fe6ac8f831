// rptest-like: in the manner of rpmalloc's benchmark. Each thread keeps a
// working set of blocks of 8-16000 B (density falling linearly with size),
// replaces a batch of them per iteration, writes every new block, and every
// second iteration hands the replaced blocks to the next thread to free.
#include <barrier>

#include "allocscope/alloc_ops.hpp"
#include "allocscope/slot_stream.hpp"
#include "allocscope/workload.hpp"

namespace allocscope {
namespace {

class RpTest : public Workload {
 public:
  void prepare(RunContext& ctx) override {
    const auto& p = ctx.params();
    iters_ = p.u("iterations");
    batch_ = p.u("batch");
    streams_ = draw_slot_streams(ctx, p.u("slots"), iters_ * batch_, "linear-dropoff", p.u("min"), p.u("max"));
    outboxes_.resize(streams_.size());
    for (auto& o : outboxes_) o.blocks.reserve(batch_);
  }

  void run(RunContext& ctx) override {
    const int T = ctx.threads();
    std::barrier sync(T);
    ctx.parallel([&](int t) {
      ThreadStats& st = ctx.stats(t);
      SlotStream& s = streams_[static_cast<size_t>(t)];
      std::vector<Block>& outbox = outboxes_[static_cast<size_t>(t)].blocks;
      std::vector<Block>& prev_outbox = outboxes_[static_cast<size_t>((t + T - 1) % T)].blocks;
      size_t k = 0;
      for (uint64_t it = 0; it < iters_; ++it) {
        const bool remote = it % 2 == 1;
        for (size_t j = 0; j < batch_; ++j, ++k) {
          Block& b = s.ws[s.slot[k]];
          if (b.p) {
            if (remote)
              outbox.push_back(b);
            else
              free_block(st, b);
          }
          alloc_block(st, b, s.size[k], static_cast<unsigned char>(k));
        }
        if (remote) {
          sync.arrive_and_wait();
          for (Block& b : prev_outbox) free_block(st, b);
          sync.arrive_and_wait();
          outbox.clear();
        }
      }
    });
  }

  void finish(RunContext& ctx) override { free_slot_streams(ctx, streams_); }

 private:
  struct alignas(64) Outbox {  // one per thread: no false sharing of its vector header
    std::vector<Block> blocks;
  };
  uint64_t iters_ = 0;
  size_t batch_ = 0;
  std::vector<SlotStream> streams_;
  std::vector<Outbox> outboxes_;
};

ALLOCSCOPE_WORKLOAD({
    .name = "rptest",
    .category = "classic",
    .doc = "rptest-like (rpmalloc): per-thread working set of 8-16000 B blocks (linear "
           "drop-off), batches replaced and touched; every second batch is freed by the next thread",
    .params = {{"iterations", ParamType::Int, "100", "batches per thread", 1, 1e9},
               {"batch", ParamType::Int, "1000", "replacements per batch", 1, 1e8},
               {"slots", ParamType::Int, "4000", "working-set slots per thread", 1, 1e8},
               {"min", ParamType::Size, "8", "smallest request", 1, 1 << 30},
               {"max", ParamType::Size, "16000", "largest request", 1, 1 << 30}},
    .multithreaded = true,
    .make = [] { return std::make_unique<RpTest>(); },
    .validate = validate_min_max,
});

}  // namespace
}  // namespace allocscope
