#include "runner.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <set>

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

double seconds(const timeval& tv) {
  return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) * 1e-6;
}

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
    for (const char* k :
         {"ops", "window_s", "ops_per_s", "live_peak_bytes", "live_end_bytes", "usable_peak_bytes", "internal_overhead",
          "end_rss_bytes", "rss_after_release_bytes", "rss_at_peak_bytes", "rss_window_end_bytes", "lat_p50_ns",
          "lat_p99_ns", "lat_p999_ns", "lat_max_ns", "alloc_stats_peak", "alloc_stats_end"})
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

// Runs the job once more under cachegrind (which, unlike memcheck, does not
// replace malloc: the preloaded allocator is the one counted) and returns the
// total instructions, or -1 with `why` set.
long long count_instructions(const LaunchSpec& base, const Adapter* adapter, const RunOptions& opt, size_t index,
                             std::string* why) {
  LaunchSpec spec = base;
  std::string out = fmt::format("/tmp/allocscope-cg.{}.{}.out", ::getpid(), index);
  spec.argv.insert(spec.argv.begin(), {opt.valgrind_path, "--tool=cachegrind", "--cache-sim=no", "--branch-sim=no",
                                       "--cachegrind-out-file=" + out});
  spec.count_syscalls = false;
  spec.rss_interval_s = 0;
  spec.timeout_s = base.timeout_s * 50;  // Valgrind runs programs tens of times slower
  spec.mem_limit_bytes = 0;              // Valgrind reserves a large address space
  if (adapter) spec.env_set.insert(spec.env_set.end(), adapter->valgrind_env.begin(), adapter->valgrind_env.end());
  LaunchResult lr = launch(spec);
  std::string text = read_text_file(out);
  ::unlink(out.c_str());
  if (lr.status != "ok") {
    *why = "under valgrind: " + lr.status + " " + lr.reason;
    return -1;
  }
  long long ir = parse_valgrind_ir(text);
  if (ir < 0) *why = "no summary line in the cachegrind output";
  return ir;
}

}  // namespace

std::string find_valgrind() {
  const char* path = std::getenv("PATH");
  std::string p = path ? path : "/usr/bin:/bin";
  size_t start = 0;
  while (start <= p.size()) {
    size_t end = p.find(':', start);
    if (end == std::string::npos) end = p.size();
    std::string cand = p.substr(start, end - start) + "/valgrind";
    if (end > start && ::access(cand.c_str(), X_OK) == 0) return cand;
    start = end + 1;
  }
  return {};
}

long long parse_valgrind_ir(const std::string& text) {
  for (const std::string key : {"summary:", "totals:"}) {
    size_t at = text.rfind("\n" + key);
    if (at == std::string::npos) {
      if (text.rfind(key, 0) != 0) continue;
      at = 0;
    } else {
      at += 1;
    }
    return std::strtoll(text.c_str() + at + key.size(), nullptr, 10);
  }
  return -1;
}

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
  spec.mem_limit_method = opt.mem_limit_method;
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
  json ml{{"method", lr.mem_limit_method}, {"limit_bytes", opt.mem_limit_bytes}};
  if (!lr.mem_limit_note.empty()) ml["note"] = lr.mem_limit_note;
  if (lr.mem_limit_method == "cgroup-v1") {
    ml["peak_bytes"] = lr.cgroup_peak_bytes;
    ml["failcnt"] = lr.cgroup_failcnt;
    ml["oom_kills"] = lr.cgroup_oom_kills;
  }
  r["mem_limit"] = ml;
  r["metrics"] = assemble_metrics(lr, worker_out);
  if (opt.count_instructions && lr.status == "ok") {
    std::string why;
    long long ir = count_instructions(spec, adapter, opt, job.index, &why);
    if (ir >= 0)
      r["metrics"]["instructions"] = ir;
    else
      r["instructions_error"] = why;
  }
  json series = json::array();
  for (const auto& [t, rss] : lr.rss_series) series.push_back({t, rss});
  r["rss_series"] = series;
  return r;
}

std::vector<json> run_plan(const std::vector<Job>& jobs, const RunOptions& opt, json context, std::vector<json> done) {
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
    for (const auto& [k, v] : opt.record_tags.items()) r[k] = v;
    // Not a result: resume runs it again. A job that went wrong while a stop
    // was pending may have been disturbed by it, so it is not kept either.
    if (r["status"] == "interrupted" || (g_stop_requested.load() && r["status"] != "ok")) break;
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
