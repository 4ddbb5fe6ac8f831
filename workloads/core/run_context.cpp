#include <sched.h>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <stdexcept>
#include <thread>

#include "allocscope/window_control.hpp"
#include "allocscope/workload.hpp"

namespace allocscope {

RunContext::RunContext(const WorkloadInfo& info, Params params, int threads, uint64_t seed,
                       uint64_t latency_sample_every, GlobalLive* shared_live)
    : info_(info),
      params_(std::move(params)),
      threads_(threads),
      seed_(seed),
      global_(shared_live ? std::shared_ptr<GlobalLive>(shared_live, [](GlobalLive*) {})
                          : std::make_shared<GlobalLive>()),
      sample_every_(latency_sample_every) {
  ensure_thread_slots(threads < 1 ? 1 : threads);
}

void RunContext::ensure_thread_slots(int n) {
  while (static_cast<int>(stats_.size()) < n) {
    stats_.push_back(std::make_unique<ThreadStats>(global_.get(), sample_every_));
    stats_.back()->set_track_usable(track_usable_);
  }
}

void RunContext::set_track_usable(bool on) {
  track_usable_ = on;
  for (auto& s : stats_) s->set_track_usable(on);
}

void RunContext::set_placement(Placement p) {
  placement_ = p;
  cpus_ = p == Placement::Spread ? allowed_cpus() : std::vector<int>{};
  if (p == Placement::Spread && cpus_.empty()) throw std::runtime_error("placement spread: no allowed CPU found");
}

void RunContext::parallel(const std::function<void(int)>& body) {
  parallel(threads_, body);
}

void RunContext::parallel(int nthreads, const std::function<void(int)>& body) {
  ensure_thread_slots(nthreads);
  WindowControl& control = WindowControl::get();
  // Threads are created before the window opens; the barrier's completion step
  // (run once, by the last thread to arrive) starts the clock.
  std::barrier start(nthreads, [this, &control]() noexcept {
    control.enable();
    u0_ = read_window_usage();
    t0_ = std::chrono::steady_clock::now();
  });
  std::vector<std::thread> pool;
  pool.reserve(static_cast<size_t>(nthreads));
  // A thread that cannot be pinned still arrives at the barrier (the others
  // wait for it); the first error is thrown once all have joined.
  std::vector<std::string> pin_errors(static_cast<size_t>(nthreads));
  std::atomic<int> pinned{0};
  for (int t = 0; t < nthreads; ++t) {
    pool.emplace_back([&, t] {
      if (!cpus_.empty()) {
        try {
          const int cpu = cpus_[static_cast<size_t>(t) % cpus_.size()];
          pin_this_thread(cpu);
          if (sched_getcpu() == cpu) pinned.fetch_add(1, std::memory_order_relaxed);
        } catch (const std::exception& e) {
          pin_errors[static_cast<size_t>(t)] = e.what();
        }
      }
      start.arrive_and_wait();
      body(t);
      stats(t).flush();
    });
  }
  for (auto& th : pool) th.join();
  t1_ = std::chrono::steady_clock::now();
  u1_ = read_window_usage();
  control.disable();
  window_set_ = true;
  for (const auto& e : pin_errors)
    if (!e.empty()) throw std::runtime_error(e);
  if (!cpus_.empty()) report("placement_pinned_threads", pinned.load());
}

void RunContext::window_begin() {
  WindowControl::get().enable();
  u0_ = read_window_usage();
  t0_ = std::chrono::steady_clock::now();
}
void RunContext::window_end() {
  t1_ = std::chrono::steady_clock::now();
  u1_ = read_window_usage();
  WindowControl::get().disable();
  window_set_ = true;
}
double RunContext::window_seconds() const {
  return std::chrono::duration<double>(t1_ - t0_).count();
}

void RunContext::mark_peak() {
  peak_marked_ = true;
  if (on_peak) on_peak();
}

uint64_t RunContext::ops() const {
  uint64_t n = 0;
  for (const auto& s : stats_) n += s->ops();
  return n;
}
uint64_t RunContext::live_bytes() const {
  int64_t n = 0;
  for (const auto& s : stats_) n += s->live();
  return n < 0 ? 0 : static_cast<uint64_t>(n);
}
uint64_t RunContext::live_peak_bytes() const {
  // One active thread: its own peak is exact. Otherwise the batched global peak.
  int active = 0;
  const ThreadStats* only = nullptr;
  for (const auto& s : stats_)
    if (s->requested_total() != 0 || s->live() != 0) ++active, only = s.get();  // allocated or freed
  if (active <= 1) return only ? static_cast<uint64_t>(only->peak()) : 0;
  for (const auto& s : stats_) const_cast<ThreadStats&>(*s).flush();
  // The batched global peak misses live sets smaller than the flush batch,
  // by at most one unflushed batch per thread. A thread's own peak is a lower
  // bound only when it frees what it allocates; a producer whose blocks other
  // threads free climbs forever, so it may raise the figure up to that bound
  // and no further.
  const int64_t global = global_->peak.load();
  const int64_t bound = global + static_cast<int64_t>(stats_.size()) * GlobalLive::kFlushBytes;
  int64_t p = global;
  for (const auto& s : stats_) p = std::max(p, std::min(s->peak(), bound));
  return p < 0 ? 0 : static_cast<uint64_t>(p);
}
uint64_t RunContext::usable_peak_bytes() const {
  int64_t n = 0;
  for (const auto& s : stats_) n += s->usable_peak();
  return static_cast<uint64_t>(n);
}
uint64_t RunContext::requested_total() const {
  uint64_t n = 0;
  for (const auto& s : stats_) n += s->requested_total();
  return n;
}
uint64_t RunContext::usable_total() const {
  uint64_t n = 0;
  for (const auto& s : stats_) n += s->usable_total();
  return n;
}
std::vector<uint32_t> RunContext::latency_samples() const {
  std::vector<uint32_t> all;
  for (const auto& s : stats_) all.insert(all.end(), s->samples().begin(), s->samples().end());
  return all;
}

void touch(void* p, size_t n, unsigned char value) {
  auto* c = static_cast<volatile unsigned char*>(p);
  if (n == 0) return;
  if (n <= 4096) {
    __builtin_memset(p, value, n);
    return;
  }
  for (size_t off = 0; off < n; off += 4096) c[off] = value;
  c[n - 1] = value;
}

}  // namespace allocscope

#include <unistd.h>

#include "allocscope/exit_codes.hpp"

namespace allocscope {

void out_of_memory() {
  static const char msg[] = "allocscope-worker: out of memory\n";
  ssize_t ignored = ::write(STDERR_FILENO, msg, sizeof msg - 1);
  (void)ignored;
  ::_exit(kOomExitCode);
}

}  // namespace allocscope
