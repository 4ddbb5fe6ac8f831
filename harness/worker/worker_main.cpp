// allocscope-worker: runs one workload in this process, under whatever
// allocator was preloaded, and writes one JSON record to fd 3.
//   allocscope-worker --job '{"workload":"churn","params":{...},"threads":1,
//                            "seed":42,"allocator":"glibc","latency_every":0}'
// Phases: prepare (untimed) | run (the timed window) | finish (untimed), then
// allocator statistics and RSS before and after asking it to release memory.
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <nlohmann/json.hpp>
#include <string>

#include "allocator/adapters/adapter.hpp"
#include "allocscope/exit_codes.hpp"
#include "allocscope/workload.hpp"
#include "harness/probes/proc.hpp"
#include "harness/results/record_json.hpp"
#include "harness/runner/live_counter.hpp"
#include "harness/worker/result_record.hpp"
#include "harness/worker/worker_job.hpp"

namespace allocscope {
namespace {

// The one lookup of the allocator on this side of the pipe (the runner holds
// the Adapter itself; only its name crosses the process boundary).
const Adapter* find_adapter(const std::string& name) {
  for (const auto& a : builtin_adapters())
    if (a.name == name) return &a;
  return nullptr;  // user-defined: no statistics API
}

std::vector<std::pair<std::string, Number>> stats_parts(const AllocatorStats& stats) {
  std::vector<std::pair<std::string, Number>> parts;
  for (size_t i = 0; i < stats.count; ++i)
    parts.emplace_back(stats.entries[i].name, Number::of(stats.entries[i].value));
  return parts;
}

AllocatorStats read_stats(const Adapter* a) {
  return a && a->read_stats ? a->read_stats() : AllocatorStats{};
}

// The live-byte counter in the memory the launcher reads with each RSS sample
// (a memfd at the fd named by ALLOCSCOPE_LIVE_FD); null when there is none,
// e.g. when the worker is run by hand.
GlobalLive* shared_live_counter() {
  const char* fd = std::getenv(kLiveCounterEnv);
  if (!fd || !*fd) return nullptr;
  void* m = ::mmap(nullptr, sizeof(GlobalLive), PROT_READ | PROT_WRITE, MAP_SHARED, std::atoi(fd), 0);
  if (m == MAP_FAILED) return nullptr;
  return new (m) GlobalLive();
}

double quantile(std::vector<uint32_t>& v, double q) {
  if (v.empty()) return 0;
  size_t k = static_cast<size_t>(q * static_cast<double>(v.size() - 1) + 0.5);
  std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
  return v[k];
}

// The timed window: its work, time, CPU and what the machine took from it.
void add_window_metrics(Metrics& out, const RunContext& ctx, double prepare_s) {
  const double window = ctx.window_seconds();
  out.set_count("ops", ctx.ops());
  out.set("window_s", window);
  out.set("prepare_s", prepare_s);
  out.set("ops_per_s", window > 0 ? static_cast<double>(ctx.ops()) / window : 0.0);
  const WindowUsage usage = ctx.window_usage();
  out.set("window_cpu_s", usage.cpu_s);
  if (usage.cpu_s > 0) out.set("ops_per_cpu_s", static_cast<double>(ctx.ops()) / usage.cpu_s);
  out.set_count("window_invol_switches", static_cast<uint64_t>(std::max(0L, usage.invol_switches)));
  if (usage.steal_s >= 0) out.set("window_steal_s", usage.steal_s);
}

// The sampled latencies' quantiles (--latency-every), when there are any.
void add_latency_metrics(Metrics& out, const RunContext& ctx) {
  auto samples = ctx.latency_samples();
  if (samples.empty()) return;
  out.set("lat_p50_ns", quantile(samples, 0.50));
  out.set("lat_p99_ns", quantile(samples, 0.99));
  out.set("lat_p999_ns", quantile(samples, 0.999));
  out.set_count("lat_max_ns", *std::max_element(samples.begin(), samples.end()));
}

int worker_main(const WorkerJob& job) {
  std::set_new_handler(out_of_memory);
  // Held to the end: every later block of this process, the workload's
  // included, lands job.heap_shift bytes further on (when the allocator
  // serves it from where the heap grows), a layout of its own for each round.
  const std::unique_ptr<void, decltype(&std::free)> shift(job.heap_shift ? std::malloc(job.heap_shift) : nullptr,
                                                          &std::free);
  const auto* info = WorkloadRegistry::instance().find(job.workload);
  if (!info || !info->make) {
    std::fprintf(stderr, "allocscope-worker: no in-process workload '%s'\n", job.workload.c_str());
    return 2;
  }
  Params params = Params::resolve(info->name, info->params, job.params);
  if (info->validate) info->validate(params);
  RunContext ctx(*info, params, job.threads, job.seed, job.latency_every, shared_live_counter());
  ctx.set_track_usable(job.track_usable);
  ctx.set_placement(parse_placement(job.placement));
  const Adapter* adapter = find_adapter(job.allocator);

  // The peak snapshot must not allocate: it would change the heap it measures.
  AllocatorStats peak_stats;
  uint64_t rss_at_peak = 0;
  ctx.on_peak = [&] {
    peak_stats = read_stats(adapter);
    rss_at_peak = read_statm_rss(0);
  };

  auto workload = info->make();
  const auto prepare_start = std::chrono::steady_clock::now();
  workload->prepare(ctx);
  const std::chrono::duration<double> prepare_s = std::chrono::steady_clock::now() - prepare_start;
  if (!info->multithreaded) ctx.window_begin();
  workload->run(ctx);
  if (!ctx.window_set()) ctx.window_end();
  const uint64_t live_end = ctx.live_bytes();
  const uint64_t window_end_rss = read_statm_rss(0);
  if (!ctx.peak_marked()) ctx.mark_peak();
  workload->finish(ctx);

  const uint64_t end_rss = read_statm_rss(0);
  AllocatorStats end_stats = read_stats(adapter);
  if (adapter && adapter->release) adapter->release();
  const uint64_t released_rss = read_statm_rss(0);

  Metrics out;
  add_window_metrics(out, ctx, prepare_s.count());
  if (shift) out.set_count("heap_shift_bytes", job.heap_shift);
  out.set_count("live_peak_bytes", ctx.live_peak_bytes());
  out.set_count("live_end_bytes", live_end);
  if (job.track_usable && ctx.requested_total() > 0) {
    out.set_count("usable_peak_bytes", ctx.usable_peak_bytes());
    out.set("internal_overhead", static_cast<double>(ctx.usable_total()) / static_cast<double>(ctx.requested_total()));
  }
  out.set_count("rss_at_peak_bytes", rss_at_peak);
  out.set_count("rss_window_end_bytes", window_end_rss);
  out.set_count("end_rss_bytes", end_rss);
  out.set_count("rss_after_release_bytes", released_rss);
  add_latency_metrics(out, ctx);
  out.set_breakdown("alloc_stats_peak", stats_parts(peak_stats));
  out.set_breakdown("alloc_stats_end", stats_parts(end_stats));
  for (const auto& [k, v] : ctx.extra()) out.set(k, v);  // each declared in the metric registry

  write_result_record(to_json(out).dump());
  return 0;
}

}  // namespace
}  // namespace allocscope

int main(int argc, char** argv) {
  if (argc != 3 || std::strcmp(argv[1], "--job") != 0) {
    std::fprintf(stderr,
                 "usage: allocscope-worker --job JSON\n(started by allocscope run; not meant to be run by hand)\n");
    return 2;
  }
  try {
    return allocscope::worker_main(allocscope::worker_job_from_argument(argv[2]));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "allocscope-worker: %s\n", e.what());
    return 2;
  }
}
