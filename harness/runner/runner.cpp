#include "runner.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <set>

#include <fmt/format.h>

#include "launcher.hpp"
#include "report/progress.hpp"

namespace allocscope {

namespace {

const Adapter* adapter_named(const RunOptions& opt, const std::string& name) {
  for (const auto& a : opt.allocators)
    if (a.name == name) return &a;
  return nullptr;
}

json worker_job(const Job& job, const RunOptions& opt) {
  json j;
  j["workload"] = job.workload;
  j["params"] = job.params;
  j["threads"] = job.threads;
  j["seed"] = job.seed;
  j["allocator"] = job.allocator;
  j["latency_every"] = opt.latency_every;
  j["track_usable"] = opt.track_usable;
  return j;
}

double seconds(const timeval& tv) { return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) * 1e-6; }

// Metrics measured from outside plus those the worker reported.
json assemble_metrics(const LaunchResult& lr, const json& w) {
  json m;
  m["wall_s"] = lr.wall_s;
  m["cpu_user_s"] = seconds(lr.usage.ru_utime);
  m["cpu_sys_s"] = seconds(lr.usage.ru_stime);
  m["minflt"] = lr.usage.ru_minflt;
  m["majflt"] = lr.usage.ru_majflt;
  m["vol_ctx_switches"] = lr.usage.ru_nvcsw;
  m["invol_ctx_switches"] = lr.usage.ru_nivcsw;
  if (lr.at_exit.ok) {
    m["peak_rss_bytes"] = lr.at_exit.vm_hwm_bytes;
    m["vm_peak_bytes"] = lr.at_exit.vm_peak_bytes;
  }
  if (!lr.syscalls.empty()) {
    uint64_t total = 0;
    json sc = json::object();
    for (const auto& [k, v] : lr.syscalls) sc[k] = v, total += v;
    m["syscalls"] = sc;
    m["syscalls_total"] = total;
  }
  if (w.is_object()) {
    for (const char* k : {"ops", "window_s", "ops_per_s", "live_peak_bytes", "live_end_bytes", "usable_peak_bytes",
                          "internal_overhead", "end_rss_bytes", "rss_after_release_bytes", "rss_at_peak_bytes", "rss_window_end_bytes",
                          "lat_p50_ns", "lat_p99_ns", "lat_p999_ns", "lat_max_ns", "alloc_stats_peak", "alloc_stats_end"})
      if (w.contains(k)) m[k] = w[k];
    if (w.contains("extra"))
      for (const auto& [k, v] : w["extra"].items()) m[k] = v;
    double live_peak = w.value("live_peak_bytes", 0.0), live_end = w.value("live_end_bytes", 0.0);
    if (live_peak > 0 && lr.at_exit.ok) m["frag_peak_ratio"] = static_cast<double>(lr.at_exit.vm_hwm_bytes) / live_peak;
    if (live_end > 0 && w.contains("rss_window_end_bytes"))
      m["frag_end_ratio"] = w["rss_window_end_bytes"].get<double>() / live_end;
  }
  return m;
}

}  // namespace

json run_job(const Job& job, const RunOptions& opt) {
  const Adapter* adapter = adapter_named(opt, job.allocator);
  LaunchSpec spec;
  if (!job.exec_argv.empty()) {
    spec.argv = job.exec_argv;
    spec.result_pipe = false;
  } else {
    spec.argv = {opt.worker_path, "--job", worker_job(job, opt).dump()};
  }
  if (adapter && !adapter->preload.empty()) spec.env_set.push_back("LD_PRELOAD=" + adapter->preload);
  spec.timeout_s = opt.timeout_s;
  spec.mem_limit_bytes = opt.mem_limit_bytes;
  spec.rss_interval_s = opt.rss_interval_s;
  spec.count_syscalls = opt.count_syscalls;
  spec.force_ptrace_counting = opt.force_ptrace_counting;

  LaunchResult lr = launch(spec);
  json worker_out;
  if (lr.status == "ok" && spec.result_pipe) {
    try {
      worker_out = json::parse(lr.result_text);
    } catch (const json::exception&) {
      lr.status = "failed";
      lr.reason = "the worker's result record is not valid JSON";
    }
  }
  json r;
  r["index"] = job.index;
  r["allocator"] = job.allocator;
  r["workload"] = job.workload;
  r["params"] = job.params;
  if (!job.exec_argv.empty()) r["command"] = job.exec_argv;
  r["threads"] = job.threads;
  r["rep"] = job.round;
  r["round"] = job.round;
  r["seed"] = job.seed;
  r["warmup"] = job.warmup;
  r["status"] = lr.status;
  r["exit"] = {{"code", lr.exit_code}, {"signal", lr.signal}};
  if (lr.status != "ok") {
    r["reason"] = lr.reason;
    r["stderr_tail"] = lr.stderr_tail;
  }
  r["syscall_method"] = lr.syscall_method;
  r["metrics"] = assemble_metrics(lr, worker_out);
  json series = json::array();
  for (const auto& [t, rss] : lr.rss_series) series.push_back({t, rss});
  r["rss_series"] = series;
  return r;
}

std::vector<json> run_plan(const std::vector<Job>& jobs, const RunOptions& opt, json context,
                           std::vector<json> done) {
  std::set<size_t> finished;
  for (const auto& r : done) finished.insert(r.value("index", size_t{0}));
  Journal journal(opt.out_dir + "/journal.jsonl");
  const std::string results_path = opt.out_dir + "/results.json";
  auto write_results = [&] {
    json doc;
    doc["schema"] = kResultsSchema;
    doc["context"] = context;
    doc["runs"] = done;
    write_file_atomic(results_path, doc.dump(1) + "\n");
  };
  write_results();
  Progress progress(jobs.size() - finished.size(), opt.quiet);
  for (const Job& job : jobs) {
    if (finished.count(job.index)) continue;
    if (g_stop_requested.load()) break;
    progress.start(job.label());
    json r = run_job(job, opt);
    if (r["status"] == "interrupted") break;  // not a result: resume runs it again
    progress.finish(r["status"].get<std::string>(), r["metrics"].value("wall_s", 0.0),
                    r.value("reason", std::string()));
    journal.append(r);
    done.push_back(std::move(r));
    write_results();
  }
  progress.done();
  return done;
}

}  // namespace allocscope
