// rptest-like: in the manner of rpmalloc's benchmark. Each thread keeps a
// working set of blocks of 8-16000 B (density falling linearly with size),
// replaces a batch of them per iteration, and every second iteration hands
// the replaced blocks to the next thread to free. As in the original, blocks
// under 4 KiB are allocated in turn by calloc, memalign(8) + memset and
// memalign(16) + memset, larger ones by calloc, and each new block then gets
// a word at its start, a byte in every page and its last byte written
// (alloc=malloc: plain malloc writing every byte, the earlier shape).
#include <barrier>
#include <cstring>

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
    plain_malloc_ = p.s("alloc") == "malloc";
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
          new_block(st, b, s.size[k], k);
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
  // The k-th allocation of a thread, in the original's rotation of calls.
  void new_block(ThreadStats& st, Block& b, size_t size, size_t k) const {
    if (plain_malloc_) return alloc_block(st, b, size, static_cast<unsigned char>(k));
    b.size = size;
    const size_t align = size < 4096 ? k % 3 * 8 : 0;  // 0 (calloc), 8, 16
    if (align == 0) {
      b.p = a_calloc(st, 1, size);
    } else {
      b.p = a_aligned(st, align, size);
      std::memset(b.p, 0xCD, size);
    }
    auto* c = static_cast<volatile unsigned char*>(b.p);
    c[0] = static_cast<unsigned char>(size);
    for (size_t page = 4096; page + 1 < size; page += 4096) c[page] = 1;
    c[size - 1] = 1;
  }

  bool plain_malloc_ = false;
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
           "drop-off), batches replaced; 1/3 calloc, 2/3 memalign(8|16)+memset, pages touched; "
           "every second batch is freed by the next thread",
    .params = {{"iterations", ParamType::Int, "1000", "batches per thread (the original: 2 x 500 loops)", 1, 1e9},
               {"batch", ParamType::Int, "100", "replacements per batch (the original's op count)", 1, 1e8},
               {"slots", ParamType::Int, "1000", "working-set slots per thread (the original's allocs)", 1, 1e8},
               {"min", ParamType::Size, "8", "smallest request", 1, 1 << 30},
               {"max", ParamType::Size, "16000", "largest request", 1, 1 << 30},
               {"alloc",
                ParamType::String,
                "rptest",
                "rptest: calloc | memalign(8) | memalign(16) in turn (<4 KiB), the original's mix; "
                "malloc: plain malloc writing every byte",
                0,
                0,
                {"rptest", "malloc"}}},
    .multithreaded = true,
    .make = [] { return std::make_unique<RpTest>(); },
    .validate = validate_min_max,
});

}  // namespace
}  // namespace allocscope
