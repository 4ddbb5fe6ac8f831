// Per-thread counters a workload updates on its hot path: ops, exact live
// requested bytes and their peak, usable bytes, and sampled latencies.
#pragma once

#include <malloc.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace allocscope {

// Live bytes summed over threads. Threads publish their local delta in
// batches so the hot path stays free of shared atomics; the global peak is
// therefore exact for one thread and within threads x kFlushBytes otherwise.
struct alignas(64) GlobalLive {
  static constexpr int64_t kFlushBytes = 64 * 1024;
  std::atomic<int64_t> live{0};
  std::atomic<int64_t> peak{0};
  void add(int64_t delta) {
    int64_t now = live.fetch_add(delta, std::memory_order_relaxed) + delta;
    int64_t p = peak.load(std::memory_order_relaxed);
    while (now > p && !peak.compare_exchange_weak(p, now, std::memory_order_relaxed)) {
    }
  }
};

// Each thread's counters sit on cache lines of their own: they are written on
// every operation, and two threads' counters sharing a line (false sharing)
// would slow every multithreaded workload by an amount that depends on where
// the heap happened to place them.
class alignas(64) ThreadStats {
 public:
  ThreadStats(GlobalLive* global, uint64_t sample_every)
      : global_(global), sample_every_(sample_every), countdown_(sample_every) {
    if (sample_every_ != 0) samples_.reserve(1 << 16);
  }

  void add_ops(uint64_t n = 1) { ops_ += n; }

  // Call after a successful allocation of `requested` bytes at p.
  void on_alloc(void* p, size_t requested) {
    live_ += static_cast<int64_t>(requested);
    requested_total_ += requested;
    if (live_ > peak_) peak_ = live_;
    pending_ += static_cast<int64_t>(requested);
    if (pending_ > GlobalLive::kFlushBytes) flush();
    if (track_usable_) {
      size_t u = malloc_usable_size(p);
      usable_live_ += static_cast<int64_t>(u);
      usable_total_ += u;
      if (usable_live_ > usable_peak_) usable_peak_ = usable_live_;
    }
  }
  // Call before freeing a block of `requested` bytes at p.
  void on_free(void* p, size_t requested) {
    live_ -= static_cast<int64_t>(requested);
    pending_ -= static_cast<int64_t>(requested);
    if (pending_ < -GlobalLive::kFlushBytes) flush();
    if (track_usable_) usable_live_ -= static_cast<int64_t>(malloc_usable_size(p));
  }
  void flush() {
    if (pending_ != 0) global_->add(pending_);
    pending_ = 0;
  }

  // Latency sampling: `if (st.sample()) { auto t = st.now(); op(); st.record(t); }`.
  bool sample() {
    if (sample_every_ == 0) return false;
    if (--countdown_ != 0) return false;
    countdown_ = sample_every_;
    return true;
  }
  static std::chrono::steady_clock::time_point now() { return std::chrono::steady_clock::now(); }
  void record(std::chrono::steady_clock::time_point start) {
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now() - start).count();
    if (samples_.size() < samples_.capacity())
      samples_.push_back(static_cast<uint32_t>(ns > 0xffffffffLL ? 0xffffffffLL : ns));
  }

  uint64_t ops() const { return ops_; }
  int64_t live() const { return live_; }
  int64_t peak() const { return peak_; }
  int64_t usable_peak() const { return usable_peak_; }
  uint64_t requested_total() const { return requested_total_; }
  uint64_t usable_total() const { return usable_total_; }
  const std::vector<uint32_t>& samples() const { return samples_; }
  void set_track_usable(bool on) { track_usable_ = on; }

 private:
  GlobalLive* global_;
  uint64_t ops_ = 0;
  int64_t live_ = 0, peak_ = 0, pending_ = 0;
  int64_t usable_live_ = 0, usable_peak_ = 0;
  uint64_t requested_total_ = 0, usable_total_ = 0;
  bool track_usable_ = false;
  uint64_t sample_every_;
  uint64_t countdown_;
  std::vector<uint32_t> samples_;
};

}  // namespace allocscope
