// xmalloc: the producer/consumer test of Lever & Boreham (USENIX 2000). With
// --threads N, N producers and N consumers share one stack of batches guarded
// by a mutex and two condition variables: a producer allocates a batch record
// and fills it with `batch` blocks (writing the first min(size, write) bytes
// of each), then pushes it, waiting while `queue` batches are pending; a
// consumer pops any batch and frees its blocks and the record. Every free is
// remote. Op-count based: the run ends when `blocks` blocks have gone through.
#include <condition_variable>
#include <cstring>
#include <mutex>

#include "allocscope/alloc_ops.hpp"
#include "allocscope/rng.hpp"
#include "allocscope/workload.hpp"

namespace allocscope {
namespace {

// The request sizes drawn when size=0 (a spread of small classes).
constexpr uint32_t kMixedSizes[] = {8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048};

struct BatchRecord {
  BatchRecord* next;
  const uint32_t* sizes;  // the blocks' sizes, in the producer's drawn stream
  size_t count;
  void* blocks[1];  // `count` entries (allocated as one record)
};

size_t record_bytes(size_t n) {
  return offsetof(BatchRecord, blocks) + n * sizeof(void*);
}

class Xmalloc : public Workload {
 public:
  void prepare(RunContext& ctx) override {
    const auto& p = ctx.params();
    workers_ = ctx.threads();
    batch_ = p.u("batch");
    limit_ = p.u("queue");
    write_ = p.u("write");
    const uint64_t per_worker =
        (p.u("blocks") + static_cast<uint64_t>(workers_) * batch_ - 1) / (static_cast<uint64_t>(workers_) * batch_);
    batches_per_producer_ = per_worker ? per_worker : 1;
    to_consume_ = batches_per_producer_ * static_cast<uint64_t>(workers_);
    sizes_.resize(static_cast<size_t>(workers_));
    for (int w = 0; w < workers_; ++w) {
      auto& s = sizes_[static_cast<size_t>(w)];
      s.resize(batches_per_producer_ * batch_, static_cast<uint32_t>(p.u("size")));
      if (p.u("size") != 0) continue;
      Rng rng(thread_seed(ctx.seed(), w));
      for (auto& v : s) v = kMixedSizes[rng.uniform(0, std::size(kMixedSizes) - 1)];
    }
  }

  void run(RunContext& ctx) override {
    // Threads 0..N-1 produce, N..2N-1 consume.
    ctx.parallel(2 * workers_, [&](int tid) {
      if (tid < workers_)
        produce(ctx.stats(tid), sizes_[static_cast<size_t>(tid)]);
      else
        consume(ctx.stats(tid));
      ctx.stats(tid).flush();
    });
  }

 private:
  void produce(ThreadStats& st, const std::vector<uint32_t>& sizes) {
    const uint32_t* sz = sizes.data();
    for (uint64_t b = 0; b < batches_per_producer_; ++b) {
      auto* rec = static_cast<BatchRecord*>(a_malloc(st, record_bytes(batch_)));
      rec->count = batch_;
      rec->sizes = sz;
      for (size_t i = 0; i < batch_; ++i, ++sz) {
        rec->blocks[i] = a_malloc(st, *sz);
        std::memset(rec->blocks[i], static_cast<int>(i % 256), *sz < write_ ? *sz : write_);
      }
      std::unique_lock lk(mu_);
      full_cv_.wait(lk, [&] { return pending_ < limit_; });
      rec->next = head_;
      head_ = rec;
      ++pending_;
      empty_cv_.notify_one();
    }
  }

  void consume(ThreadStats& st) {
    for (;;) {
      BatchRecord* rec = nullptr;
      {
        std::unique_lock lk(mu_);
        empty_cv_.wait(lk, [&] { return head_ != nullptr || consumed_ == to_consume_; });
        if (!head_) return;
        rec = head_;
        head_ = rec->next;
        --pending_;
        if (++consumed_ == to_consume_) empty_cv_.notify_all();
        full_cv_.notify_one();
      }
      for (size_t i = 0; i < rec->count; ++i) a_free(st, rec->blocks[i], rec->sizes[i]);
      a_free(st, rec, record_bytes(rec->count));
    }
  }

  int workers_ = 1;
  size_t batch_ = 4096, limit_ = 100, write_ = 128;
  uint64_t batches_per_producer_ = 0, to_consume_ = 0, consumed_ = 0;
  std::vector<std::vector<uint32_t>> sizes_;
  std::mutex mu_;
  std::condition_variable empty_cv_, full_cv_;
  BatchRecord* head_ = nullptr;
  size_t pending_ = 0;
};

ALLOCSCOPE_WORKLOAD({
    .name = "xmalloc",
    .category = "classic",
    .doc = "producer/consumer (Lever & Boreham xmalloc-test): --threads N producers and N "
           "consumers hand batches of 4096 blocks through one mutex+condvar stack (<= 100 "
           "pending); first 128 B of each block written; every free is remote",
    .params = {{"blocks", ParamType::Int, "2000000", "blocks produced in total (whole batches)", 1, 1e11},
               {"size", ParamType::Size, "64", "block size; 0 draws from 17 classes of 8-2048 B", 0, 1 << 30},
               {"batch", ParamType::Int, "4096", "blocks per handed-over batch", 1, 1e7},
               {"queue", ParamType::Int, "100", "pending batches before producers wait", 1, 1e6},
               {"write", ParamType::Size, "128", "bytes written at the start of each block", 0, 1 << 30}},
    .multithreaded = true,
    .make = [] { return std::make_unique<Xmalloc>(); },
    .scale = "blocks",
});

}  // namespace
}  // namespace allocscope
