#include "harness/runner/runner.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <tuple>

#include "allocscope/rng.hpp"
#include "harness/report/progress.hpp"
#include "harness/runner/launcher.hpp"
#include "harness/runner/live_counter.hpp"
#include "harness/worker/worker_job.hpp"

namespace allocscope {

namespace {

// --heap-shift: the bytes the worker holds before the workload in a round,
// 16 to 4096 in steps of 16, from the run's seed and the round alone, so
// every allocator of a round runs with the same shift and each round with
// its own.
uint64_t heap_shift_for(uint64_t seed, int round) {
  return Rng(thread_seed(seed, round)).uniform(1, 256) * 16;
}

std::string worker_argument(const Job& job, const RunOptions& opt) {
  WorkerJob w;
  w.workload = job.workload;
  w.params = job.params;
  w.threads = job.threads;
  w.seed = job.seed;
  w.allocator = job.allocator_name();
  w.latency_every = opt.latency_every;
  w.track_usable = opt.track_usable;
  w.placement = opt.placement;
  if (opt.heap_shift) w.heap_shift = heap_shift_for(job.seed, job.round);
  return to_argument(w);
}

double seconds(const timeval& tv) {
  return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) * 1e-6;
}

// Metrics measured from outside, then those the worker reported, then the
// ratios of the two.
// Realized fragmentation from the RSS and live-bytes series taken on one
// clock: (peak backed - peak demand) / peak demand, over the samples.
void add_series_fragmentation(const LaunchResult& lr, Metrics& m) {
  uint64_t peak_live = 0, peak_rss = 0;
  for (const auto& [t, live] : lr.live_series) peak_live = std::max(peak_live, live);
  for (const auto& [t, rss] : lr.rss_series) peak_rss = std::max(peak_rss, rss);
  if (peak_live == 0 || peak_rss == 0) return;
  m.set("frag_realized_ratio",
        (static_cast<double>(peak_rss) - static_cast<double>(peak_live)) / static_cast<double>(peak_live));
}

Metrics assemble_metrics(const LaunchResult& lr, const Metrics& worker) {
  Metrics m;
  m.set("wall_s", lr.wall_s);
  m.set("cpu_user_s", seconds(lr.usage.ru_utime));
  m.set("cpu_sys_s", seconds(lr.usage.ru_stime));
  m.set_count("minflt", static_cast<uint64_t>(lr.usage.ru_minflt));
  m.set_count("majflt", static_cast<uint64_t>(lr.usage.ru_majflt));
  m.set_count("vol_ctx_switches", static_cast<uint64_t>(lr.usage.ru_nvcsw));
  m.set_count("invol_ctx_switches", static_cast<uint64_t>(lr.usage.ru_nivcsw));
  if (lr.at_exit.ok) {
    m.set_count("peak_rss_bytes", std::max(lr.tree.peak_rss_bytes, lr.at_exit.vm_hwm_bytes));
    m.set_count("top_peak_rss_bytes", lr.at_exit.vm_hwm_bytes);
    m.set_count("vm_peak_bytes", lr.at_exit.vm_peak_bytes);
    m.set_count("processes", lr.tree.processes);
    m.set_count("page_tables_peak_bytes", lr.tree.page_tables_peak_bytes);
    m.set_count("thp_peak_bytes", lr.tree.thp_peak_bytes);
    if (lr.tree.rss_at_thp_peak_bytes)
      m.set("thp_share_ratio",
            static_cast<double>(lr.tree.thp_peak_bytes) / static_cast<double>(lr.tree.rss_at_thp_peak_bytes));
  }
  for (const auto& c : lr.counters)
    if (c.available) m.set_count(c.metric, c.value);
  if (!lr.syscalls.empty()) {
    uint64_t total = 0;
    std::vector<std::pair<std::string, Number>> by_kind;
    for (const auto& [k, v] : lr.syscalls) by_kind.emplace_back(k, Number::count(v)), total += v;
    m.set_breakdown("syscalls", std::move(by_kind));
    m.set_count("syscalls_total", total);
  }
  m.merge(worker);
  const double live_peak = worker.number_or("live_peak_bytes", 0), live_end = worker.number_or("live_end_bytes", 0);
  if (live_peak > 0 && lr.at_exit.ok)
    m.set("frag_peak_ratio", static_cast<double>(lr.at_exit.vm_hwm_bytes) / live_peak);
  if (auto rss_end = worker.number("rss_window_end_bytes"); live_end > 0 && rss_end)
    m.set("frag_end_ratio", *rss_end / live_end);
  add_series_fragmentation(lr, m);
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
  if (status_of(lr) != Status::Ok) {
    *why = "under valgrind: " + lr.status + " " + lr.reason;
    return -1;
  }
  long long ir = parse_valgrind_ir(text);
  if (ir < 0) *why = "no summary line in the cachegrind output";
  return ir;
}

// The end of stderr as a record keeps it (the whole kept output is in DIR/output).
std::string record_tail(const std::string& text) {
  return text.size() > kStderrTailBytes ? text.substr(text.size() - kStderrTailBytes) : text;
}

// An --exec job's output, saved in the run folder; its description for the record.
json save_output(const Job& job, const RunOptions& opt, const LaunchResult& lr) {
  json out = json::object();
  if (opt.output_dir.empty()) return out;
  std::error_code ec;
  std::filesystem::create_directories(opt.output_dir + "/output", ec);
  for (const auto& [name, text, total] : {std::tuple{"stdout", &lr.stdout_tail, lr.stdout_bytes},
                                          std::tuple{"stderr", &lr.stderr_tail, lr.stderr_bytes}}) {
    const std::string rel = fmt::format("output/job-{}.{}", job.index, name);
    write_file_atomic(opt.output_dir + "/" + rel, *text);
    out[name] = {{"path", rel}, {"bytes", total}, {"kept_bytes", text->size()}, {"truncated", total > text->size()}};
  }
  return out;
}

// The metrics the program printed; false (with the reason) when one is missing.
bool read_output_metrics(const RunOptions& opt, const LaunchResult& lr, Metrics& metrics, std::string* why) {
  for (const auto& m : opt.output_metrics) {
    double v = 0;
    if (!extract_output_metric(m, lr.stdout_tail, lr.stderr_tail, &v, why)) return false;
    metrics.set(m.name, v);
  }
  return true;
}

}  // namespace

Status status_of(const LaunchResult& lr) {
  return parse_status(lr.status).value_or(Status::Failed);
}

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

JobIdentity identity_of(const Job& job) {
  JobIdentity id;
  id.index = job.index;
  id.allocator = job.allocator_name();
  id.workload = job.workload;
  id.params = job.params;
  id.command = job.exec_argv;
  id.threads = job.threads;
  id.rep = job.round;
  id.round = job.round;
  id.seed = job.seed;
  id.warmup = job.warmup;
  return id;
}

namespace {

// How the job's process is started: the worker (or the --exec program), the
// allocator preloaded, the run's limits and what is measured.
LaunchSpec launch_spec_of(const Job& job, const RunOptions& opt) {
  LaunchSpec spec;
  if (!job.exec_argv.empty()) {
    spec.argv = job.exec_argv;
    spec.result_pipe = false;
    spec.stdout_keep_bytes = spec.stderr_keep_bytes = opt.output_keep_bytes;
  } else {
    spec.argv = {opt.worker_path, "--job", worker_argument(job, opt)};
    spec.live_counter = opt.rss_interval_s > 0;
    if (spec.live_counter) spec.env_set.push_back(fmt::format("{}={}", kLiveCounterEnv, kLiveCounterFd));
  }
  if (!job.allocator->preload.empty()) spec.env_set.push_back("LD_PRELOAD=" + job.allocator->preload);
  spec.timeout_s = opt.timeout_s;
  spec.mem_limit_bytes = opt.mem_limit_bytes;
  spec.mem_limit_method = opt.mem_limit_method;
  spec.rss_interval_s = opt.rss_interval_s;
  spec.count_syscalls = opt.count_syscalls;
  spec.force_ptrace_counting = opt.force_ptrace_counting;
  spec.thp_never = opt.thp_never;
  return spec;
}

// The memory limit as the launch applied it, with the cgroup's figures.
MemLimitInfo mem_limit_of(const LaunchResult& lr, const RunOptions& opt) {
  MemLimitInfo ml;
  ml.method = lr.mem_limit_method;
  ml.limit_bytes = opt.mem_limit_bytes;
  ml.note = lr.mem_limit_note;
  if (lr.mem_limit_method == "cgroup-v1") {
    ml.cgroup = true;
    ml.peak_bytes = lr.cgroup_peak_bytes;
    ml.failcnt = lr.cgroup_failcnt;
    ml.oom_kills = lr.cgroup_oom_kills;
  }
  return ml;
}

}  // namespace

RunRecord run_job(const Job& job, const RunOptions& opt) {
  const Adapter* adapter = job.allocator;
  const LaunchSpec spec = launch_spec_of(job, opt);
  LaunchResult lr = launch(spec);
  RunRecord r;
  r.job = identity_of(job);
  r.status = status_of(lr);
  r.reason = lr.reason;
  Metrics worker_metrics;
  if (r.ok() && spec.result_pipe) {
    try {
      worker_metrics = metrics_from_json(json::parse(lr.result_text), "the worker's result record");
    } catch (const std::exception&) {
      r.status = Status::Failed;
      r.reason = "the worker's result record is not valid JSON";
    }
  }
  r.exit = ExitInfo{lr.exit_code, lr.signal};
  if (!r.ok())
    r.stderr_tail = record_tail(lr.stderr_tail);
  else
    r.reason.clear();
  r.syscall_method = lr.syscall_method;
  r.mem_limit = mem_limit_of(lr, opt);
  r.other["thp"] = opt.thp_condition;
  if (job.exec_argv.empty()) r.other["placement"] = opt.placement;  // whole programs place their own threads
  json unavailable = json::object();
  for (const auto& c : lr.counters)
    if (!c.available) unavailable[c.metric] = c.why;
  if (!unavailable.empty()) r.other["metrics_unavailable"] = unavailable;
  r.metrics = assemble_metrics(lr, worker_metrics);
  if (!job.exec_argv.empty()) {
    if (json saved = save_output(job, opt, lr); !saved.empty()) r.other["output"] = saved;
    std::string why;
    if (r.ok() && !read_output_metrics(opt, lr, r.metrics, &why)) {
      r.status = Status::Failed;
      r.reason = why;
    }
    if (!r.ok()) r.stderr_tail = record_tail(lr.stderr_tail);
  }
  if (opt.count_instructions && r.ok()) {
    std::string why;
    long long ir = count_instructions(spec, adapter, opt, job.index, &why);
    if (ir >= 0)
      r.metrics.set_count("instructions", static_cast<uint64_t>(ir));
    else
      r.instructions_error = why;
  }
  r.rss_series = lr.rss_series;
  r.live_series = lr.live_series;
  r.rss_sampled = true;
  return r;
}

Results run_plan(const std::vector<Job>& jobs, const RunOptions& options, const RunDir& dir, Results results) {
  RunOptions opt = options;
  opt.output_dir = dir.path();
  std::set<size_t> finished;
  for (const auto& r : results.runs) finished.insert(r.job.index.value_or(0));
  Journal journal(dir.journal_file());
  dir.save_results(results);
  // results.json is a complete document rewritten as a whole, so it is saved
  // every few seconds and at the end, not after each job (that made a run
  // quadratic: 0.2 s per job at 1,300 records). Each job is in the journal,
  // fsync'd, before the next one starts; a crash loses nothing (--resume).
  auto last_save = std::chrono::steady_clock::now();
  Progress progress(jobs.size() - finished.size(), opt.quiet);
  for (const Job& job : jobs) {
    if (finished.count(job.index)) continue;
    if (g_stop_requested.load()) break;
    progress.start(job.label());
    RunRecord r = run_job(job, opt);
    for (const auto& [k, v] : opt.record_tags.items()) r.other[k] = v;
    // Not a result: resume runs it again. A job that went wrong while a stop
    // was pending may have been disturbed by it, so it is not kept either.
    if (r.status == Status::Interrupted || (g_stop_requested.load() && !r.ok())) break;
    progress.finish(r.status, r.metrics.number_or("wall_s", 0.0), r.reason);
    journal.append(r);
    results.runs.push_back(std::move(r));
    if (std::chrono::steady_clock::now() - last_save > std::chrono::seconds(10)) {
      dir.save_results(results);
      last_save = std::chrono::steady_clock::now();
    }
  }
  dir.save_results(results);
  progress.done();
  return results;
}

}  // namespace allocscope
