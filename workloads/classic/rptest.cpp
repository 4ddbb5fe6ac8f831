// rptest-like: in the manner of rpmalloc's benchmark. Each thread keeps a
// working set of blocks of 8-16000 B (density falling linearly with size),
// replaces a batch of them per iteration, and every second iteration also
// allocates a batch of fresh blocks and hands it, lock-free, to the next
// thread, which frees it at the start of its next iteration (no barrier:
// threads never wait for one another until the end). As in the original, blocks
// under 4 KiB are allocated in turn by calloc, memalign(8) + memset and
// memalign(16) + memset, larger ones by calloc, and each new block then gets
// a word at its start, a byte in every page and its last byte written
// (alloc=malloc: plain malloc writing every byte, the earlier shape).
#include <atomic>
#include <cstddef>
#include <cstring>
#include <thread>

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
    cross_ = p.u("cross");
    mailboxes_ = std::vector<Mailbox>(streams_.size());
  }

  void run(RunContext& ctx) override {
    const int T = ctx.threads();
    producing_ = T;
    ctx.parallel([&](int t) {
      ThreadStats& st = ctx.stats(t);
      SlotStream& s = streams_[static_cast<size_t>(t)];
      Mailbox& mine = mailboxes_[static_cast<size_t>(t)];
      Mailbox& next = mailboxes_[static_cast<size_t>((t + 1) % T)];
      size_t k = 0;
      for (uint64_t it = 0; it < iters_; ++it) {
        drain(st, mine);  // free what another thread handed over
        const size_t k0 = k;
        for (size_t j = 0; j < batch_; ++j, ++k) {
          Block& b = s.ws[s.slot[k]];
          free_block(st, b);
          new_block(st, b, s.size[k], k);
        }
        if (T > 1 && cross_ && it % cross_ == cross_ - 1) hand_over(st, s, k0, next);
      }
      producing_.fetch_sub(1);
      while (producing_.load() > 0) {
        drain(st, mine);
        std::this_thread::yield();
      }
      drain(st, mine);
      st.flush();
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

  // A batch of fresh blocks one thread allocates for another to free.
  struct Handoff {
    Handoff* next;
    size_t count;
    Block blocks[1];  // `count` entries, allocated with the record
  };
  static size_t handoff_bytes(size_t n) { return offsetof(Handoff, blocks) + n * sizeof(Block); }
  struct alignas(64) Mailbox {
    std::atomic<Handoff*> head{nullptr};
  };

  void hand_over(ThreadStats& st, const SlotStream& s, size_t k0, Mailbox& to) const {
    auto* h = static_cast<Handoff*>(a_malloc(st, handoff_bytes(batch_)));
    h->count = batch_;
    for (size_t j = 0; j < batch_; ++j) new_block(st, h->blocks[j], s.size[k0 + j], k0 + j);
    h->next = to.head.load(std::memory_order_relaxed);
    while (!to.head.compare_exchange_weak(h->next, h, std::memory_order_release, std::memory_order_relaxed)) {
    }
  }

  static void drain(ThreadStats& st, Mailbox& box) {
    Handoff* h = box.head.exchange(nullptr, std::memory_order_acquire);
    while (h) {
      Handoff* next = h->next;
      for (size_t j = 0; j < h->count; ++j) free_block(st, h->blocks[j]);
      a_free(st, h, handoff_bytes(h->count));
      h = next;
    }
  }

  bool plain_malloc_ = false;
  uint64_t cross_ = 2;
  std::atomic<int> producing_{0};
  std::vector<Mailbox> mailboxes_;
  uint64_t iters_ = 0;
  size_t batch_ = 0;
  std::vector<SlotStream> streams_;
};

ALLOCSCOPE_WORKLOAD({
    .name = "rptest",
    .category = "classic",
    .doc = "rptest-like (rpmalloc): per-thread working set of 8-16000 B blocks (linear "
           "drop-off), batches replaced; 1/3 calloc, 2/3 memalign(8|16)+memset, pages touched; "
           "every second iteration a fresh batch is handed lock-free to the next thread to free",
    .params = {{"iterations", ParamType::Int, "1000", "batches per thread (the original: 2 x 500 loops)", 1, 1e9},
               {"batch", ParamType::Int, "100", "replacements per batch (the original's op count)", 1, 1e8},
               {"slots", ParamType::Int, "1000", "working-set slots per thread (the original's allocs)", 1, 1e8},
               {"min", ParamType::Size, "8", "smallest request", 1, 1 << 30},
               {"max", ParamType::Size, "16000", "largest request", 1, 1 << 30},
               {"cross", ParamType::Int, "2",
                "every n-th batch also allocates a batch for the next thread to free (0: never)", 0, 1e9},
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
    .scale = "iterations",
});

}  // namespace
}  // namespace allocscope
