// The workload interface. A workload is one file that defines a class derived
// from Workload and registers it with ALLOCSCOPE_WORKLOAD(...). The worker
// process calls prepare() (untimed: generate sizes and random numbers), run()
// (the timed window) and finish() (untimed: free what is left, report extras).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "allocscope/params.hpp"
#include "allocscope/placement.hpp"
#include "allocscope/thread_stats.hpp"
#include "allocscope/window_usage.hpp"

namespace allocscope {

class RunContext;

class Workload {
 public:
  virtual ~Workload() = default;
  // Untimed set-up: generate op streams, sizes and random numbers here.
  virtual void prepare(RunContext&) {}
  // The timed window. Either let the harness time the whole call, or call
  // ctx.parallel(...) which times only the threads' bodies.
  virtual void run(RunContext& ctx) = 0;
  // Untimed tear-down: free what is still live, report extra metrics.
  virtual void finish(RunContext&) {}
};

struct WorkloadInfo {
  std::string name;
  std::string category;  // classic | adversarial | seeds | synthetic | realistic | trace
  std::string doc;       // one line: shape, what it stresses, origin
  std::vector<ParamSpec> params;
  bool multithreaded = false;  // takes --threads; single-threaded ones run with 1
  std::function<std::unique_ptr<Workload>()> make;
  // Optional check across parameters (e.g. min <= max); throws ParamError.
  std::function<void(const Params&)> validate;
  // Realistic workloads run a whole program instead of code in the worker:
  // given validated params, return the command line (empty = not runnable,
  // with the reason in *why).
  std::function<std::vector<std::string>(const Params&, std::string* why)> command;
  // The integer parameter the timed work grows with linearly (ops, rounds,
  // iterations...), which `allocscope run --min-window` may raise; empty when
  // more work would change what the workload measures (a memory shape, a
  // fixed duration, a whole program).
  std::string scale;
};

class WorkloadRegistry {
 public:
  static WorkloadRegistry& instance();
  bool add(WorkloadInfo info);
  const WorkloadInfo* find(const std::string& name) const;
  std::vector<const WorkloadInfo*> all() const;  // sorted by category, name

 private:
  std::map<std::string, WorkloadInfo> by_name_;
};

#define ALLOCSCOPE_CONCAT_INNER(a, b) a##b
#define ALLOCSCOPE_CONCAT(a, b) ALLOCSCOPE_CONCAT_INNER(a, b)
// Registers a workload at static-initialisation time: ALLOCSCOPE_WORKLOAD({...});
#define ALLOCSCOPE_WORKLOAD(...)                                             \
  static const bool ALLOCSCOPE_CONCAT(allocscope_registered_, __COUNTER__) = \
      ::allocscope::WorkloadRegistry::instance().add(::allocscope::WorkloadInfo __VA_ARGS__)

// Everything a running workload can see and report.
class RunContext {
 public:
  // `shared_live`, when given, is where the live-byte total is kept (memory
  // the harness reads while the job runs); it must outlive the context.
  RunContext(const WorkloadInfo& info, Params params, int threads, uint64_t seed, uint64_t latency_sample_every,
             GlobalLive* shared_live = nullptr);

  const Params& params() const { return params_; }
  int threads() const { return threads_; }
  uint64_t seed() const { return seed_; }
  const WorkloadInfo& info() const { return info_; }

  // Per-thread accounting; index 0 is the main thread.
  ThreadStats& stats(int tid) { return *stats_[static_cast<size_t>(tid)]; }

  // Runs body(tid) on `threads()` threads; the timed window spans from the
  // moment all threads are started and waiting on a barrier until the last
  // one returns. Call at most once per run() unless timed_manually().
  void parallel(const std::function<void(int tid)>& body);
  // Same, with an explicit thread count (e.g. producers + consumers).
  void parallel(int nthreads, const std::function<void(int tid)>& body);

  // For workloads that time their own window (call begin, then end).
  void window_begin();
  void window_end();
  bool window_set() const { return window_set_; }
  double window_seconds() const;
  // CPU time, involuntary switches and steal inside the window.
  WindowUsage window_usage() const { return usage_between(u0_, u1_); }

  // Records a workload-specific numeric metric (must be declared in the metric
  // registry or it is reported under "extra").
  void report(const std::string& name, double value) { extra_[name] = value; }
  const std::map<std::string, double>& extra() const { return extra_; }

  // Call when the live set is at its peak: the worker snapshots the allocator's
  // statistics then (default: at the end of run()).
  void mark_peak();
  std::function<void()> on_peak;  // set by the worker

  // Aggregates over threads.
  uint64_t ops() const;
  uint64_t live_bytes() const;
  uint64_t live_peak_bytes() const;
  uint64_t usable_peak_bytes() const;
  uint64_t requested_total() const;
  uint64_t usable_total() const;
  std::vector<uint32_t> latency_samples() const;

 private:
  const WorkloadInfo& info_;
  Params params_;
  int threads_;
  uint64_t seed_;
  std::vector<std::unique_ptr<ThreadStats>> stats_;
  std::shared_ptr<GlobalLive> global_;
  std::map<std::string, double> extra_;
  std::chrono::steady_clock::time_point t0_{}, t1_{};
  WindowUsage u0_{}, u1_{};  // read at the window's edges, like t0_ and t1_
  bool window_set_ = false;
  bool peak_marked_ = false;
  uint64_t sample_every_ = 0;
  bool track_usable_ = false;
  Placement placement_ = Placement::None;
  std::vector<int> cpus_;  // the allowed CPUs, read when placement is set

 public:
  // Exact usable-size accounting (malloc_usable_size per op); off by default
  // because it adds a call to every operation.
  void set_track_usable(bool on);
  // Where parallel() puts its threads (placement.hpp); Placement::None by default.
  void set_placement(Placement p);
  Placement placement() const { return placement_; }
  bool peak_marked() const { return peak_marked_; }
  // Grows the per-thread table (for workloads whose thread count differs).
  void ensure_thread_slots(int n);
};

// Writes to memory the way a program would: the whole block when small, one
// byte per page (plus the last byte) when large, so RSS and faults are real.
void touch(void* p, size_t n, unsigned char value);

}  // namespace allocscope
