// A bounded single-producer single-consumer queue of pointers, for the
// producer/consumer workloads. Waiting sides yield.
#pragma once

#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace allocscope {

class SpscRing {
 public:
  explicit SpscRing(size_t capacity) : slots_(capacity) {}
  void push(void* p) {
    const size_t t = tail_.load(std::memory_order_relaxed);
    while (t - head_.load(std::memory_order_acquire) >= slots_.size()) std::this_thread::yield();
    slots_[t % slots_.size()] = p;
    tail_.store(t + 1, std::memory_order_release);
  }
  void* pop() {
    const size_t h = head_.load(std::memory_order_relaxed);
    while (tail_.load(std::memory_order_acquire) == h) std::this_thread::yield();
    void* p = slots_[h % slots_.size()];
    head_.store(h + 1, std::memory_order_release);
    return p;
  }

 private:
  std::vector<void*> slots_;
  alignas(64) std::atomic<size_t> head_{0};  // next to pop
  alignas(64) std::atomic<size_t> tail_{0};  // next to push
};

}  // namespace allocscope
