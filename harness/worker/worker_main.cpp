// allocscope-worker: runs one workload in this process, under whatever
// allocator was preloaded, and writes one JSON record to fd 3.
//   allocscope-worker --job '{"workload":"churn","params":{...},"threads":1,
//                            "seed":42,"allocator":"glibc","latency_every":0}'
// Phases: prepare (untimed) | run (the timed window) | finish (untimed), then
// allocator statistics and RSS before and after asking it to release memory.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <new>
#include <nlohmann/json.hpp>
#include <string>

#include "adapter.hpp"
#include "allocscope/exit_codes.hpp"
#include "allocscope/workload.hpp"
#include "probes/proc.hpp"
#include "worker/result_record.hpp"

using json = nlohmann::ordered_json;

namespace allocscope {
namespace {

const Adapter* find_adapter(const std::string& name) {
  for (const auto& a : builtin_adapters())
    if (a.name == name) return &a;
  return nullptr;  // user-defined: no statistics API
}

json stats_json(const AllocatorStats& stats) {
  json j = json::object();
  for (size_t i = 0; i < stats.count; ++i) j[stats.entries[i].name] = stats.entries[i].value;
  return j;
}

AllocatorStats read_stats(const Adapter* a) {
  return a && a->read_stats ? a->read_stats() : AllocatorStats{};
}

double quantile(std::vector<uint32_t>& v, double q) {
  if (v.empty()) return 0;
  size_t k = static_cast<size_t>(q * static_cast<double>(v.size() - 1) + 0.5);
  std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
  return v[k];
}

int worker_main(const json& job) {
  std::set_new_handler(out_of_memory);
  const auto* info = WorkloadRegistry::instance().find(job.at("workload").get<std::string>());
  if (!info || !info->make) {
    std::fprintf(stderr, "allocscope-worker: no in-process workload '%s'\n",
                 job.at("workload").get<std::string>().c_str());
    return 2;
  }
  std::map<std::string, std::string> given = job.value("params", std::map<std::string, std::string>{});
  Params params = Params::resolve(info->name, info->params, given);
  if (info->validate) info->validate(params);
  RunContext ctx(*info, params, job.value("threads", 1), job.value("seed", uint64_t{42}),
                 job.value("latency_every", uint64_t{0}));
  ctx.set_track_usable(job.value("track_usable", false));
  const Adapter* adapter = find_adapter(job.value("allocator", "glibc"));

  json out;
  // The peak snapshot must not allocate: it would change the heap it measures.
  AllocatorStats peak_stats;
  uint64_t rss_at_peak = 0;
  ctx.on_peak = [&] {
    peak_stats = read_stats(adapter);
    rss_at_peak = read_statm_rss(0);
  };

  auto workload = info->make();
  workload->prepare(ctx);
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

  const double window = ctx.window_seconds();
  out["ops"] = ctx.ops();
  out["window_s"] = window;
  out["ops_per_s"] = window > 0 ? static_cast<double>(ctx.ops()) / window : 0.0;
  out["live_peak_bytes"] = ctx.live_peak_bytes();
  out["live_end_bytes"] = live_end;
  if (job.value("track_usable", false) && ctx.requested_total() > 0) {
    out["usable_peak_bytes"] = ctx.usable_peak_bytes();
    out["internal_overhead"] = static_cast<double>(ctx.usable_total()) / static_cast<double>(ctx.requested_total());
  }
  out["rss_at_peak_bytes"] = rss_at_peak;
  out["rss_window_end_bytes"] = window_end_rss;
  out["end_rss_bytes"] = end_rss;
  out["rss_after_release_bytes"] = released_rss;
  auto samples = ctx.latency_samples();
  if (!samples.empty()) {
    out["lat_p50_ns"] = quantile(samples, 0.50);
    out["lat_p99_ns"] = quantile(samples, 0.99);
    out["lat_p999_ns"] = quantile(samples, 0.999);
    out["lat_max_ns"] = *std::max_element(samples.begin(), samples.end());
  }
  out["alloc_stats_peak"] = stats_json(peak_stats);
  out["alloc_stats_end"] = stats_json(end_stats);
  json extra = json::object();
  for (const auto& [k, v] : ctx.extra()) extra[k] = v;
  out["extra"] = extra;

  write_result_record(out.dump());
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
    return allocscope::worker_main(json::parse(argv[2]));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "allocscope-worker: %s\n", e.what());
    return 2;
  }
}
