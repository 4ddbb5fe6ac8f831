// One job's result, typed: who ran (the job's identity), how it ended (a
// Status) and what was measured (metrics by name, each declared in the metric
// registry). The worker, the runner, micro, merge, compare, gate, export and
// report all read and write this type; JSON appears only where a record
// leaves or enters the process (record_json.hpp).
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "harness/results/status.hpp"

namespace allocscope {

// A measured number, kept integral when it was counted (bytes, faults) so it
// is written back exactly as it was measured.
struct Number {
  double value = 0;
  bool integral = false;
  static Number of(double v) { return {v, false}; }
  static Number count(uint64_t v) { return {static_cast<double>(v), true}; }
};

// One metric's value: a number, a breakdown by kind (memory syscalls by
// name, an allocator's own statistics), or null (measured but undefined).
struct MetricValue {
  enum class Kind { Number, Breakdown, Null };
  Kind kind = Kind::Null;
  Number number;
  std::vector<std::pair<std::string, Number>> parts;  // Breakdown: in the order measured
  bool is_number() const { return kind == Kind::Number; }
};

// Metrics by name, in the order they were set. set() accepts only names of
// the metric registry (a programming error otherwise); set_foreign() takes
// names from outside it (a Google Benchmark counter, an older results file).
class Metrics {
 public:
  void set(const std::string& name, Number v);
  void set(const std::string& name, double v) { set(name, Number::of(v)); }
  void set_count(const std::string& name, uint64_t v) { set(name, Number::count(v)); }
  void set_breakdown(const std::string& name, std::vector<std::pair<std::string, Number>> parts);
  void set_foreign(const std::string& name, MetricValue v);
  // Copies every metric of `other`, replacing those already here.
  void merge(const Metrics& other);

  const MetricValue* find(const std::string& name) const;
  // The numeric value of `name`, or nullopt (absent, null or a breakdown).
  std::optional<double> number(const std::string& name) const;
  double number_or(const std::string& name, double fallback) const { return number(name).value_or(fallback); }
  bool contains(const std::string& name) const { return find(name) != nullptr; }
  bool empty() const { return items_.empty(); }
  const std::vector<std::pair<std::string, MetricValue>>& items() const { return items_; }
  // Every numeric value, breakdowns flattened as "metric.part".
  std::vector<std::pair<std::string, double>> flat() const;

 private:
  MetricValue& slot(const std::string& name);
  std::vector<std::pair<std::string, MetricValue>> items_;
};

// Which job a record belongs to: allocator x workload x params x threads x
// round (rep), with the matrix position used by resume, shards and merge.
struct JobIdentity {
  std::optional<size_t> index;  // absent in hand-made or very old files
  std::string allocator;
  std::string workload;
  std::map<std::string, std::string> params;  // every parameter, as text
  std::vector<std::string> command;           // --exec and whole-program jobs
  int threads = 1;
  int rep = 0;
  int round = 0;
  uint64_t seed = 0;
  bool warmup = false;
  // allocator|workload|params|command|threads (allocator only when asked):
  // the same cell across rounds.
  std::string cell_key(bool with_allocator) const;
  // "workload/k=v,.../threads:N" (no allocator).
  std::string bench_name() const;
};

// How the memory limit of a job was enforced, and what its cgroup measured.
struct MemLimitInfo {
  std::string method = "none";  // cgroup-v1 | rlimit-as | none
  uint64_t limit_bytes = 0;
  std::string note;  // why the cgroup was not used, if so
  bool cgroup = false;
  uint64_t peak_bytes = 0, failcnt = 0, oom_kills = 0;  // cgroup-v1 only
};

struct ExitInfo {
  int code = -1;
  int signal = 0;
};

struct RunRecord {
  JobIdentity job;
  Status status = Status::Failed;
  std::optional<ExitInfo> exit;  // for jobs started by the launcher
  std::string reason;            // why, when not ok
  std::string stderr_tail;       // last lines of the child's stderr, when not ok
  std::string syscall_method;    // how syscalls were counted; empty = not recorded
  std::optional<MemLimitInfo> mem_limit;
  Metrics metrics;
  std::string instructions_error;                       // why --metric instructions has no value
  bool confirm = false;                                 // a gate --confirm round
  std::vector<std::pair<double, uint64_t>> rss_series;  // seconds since start, RSS bytes
  bool rss_sampled = false;  // the record carries a series (possibly empty); files may drop it to save space
  // The worker's live requested bytes at the times of rss_series (in-process
  // workloads sampled with RSS; empty otherwise).
  std::vector<std::pair<double, uint64_t>> live_series;
  // Fields this type does not model, kept as read (e.g. micro's raw Google
  // Benchmark row under "gbench"), so a read-write round trip loses nothing.
  nlohmann::ordered_json other = nlohmann::ordered_json::object();

  bool ok() const { return status == Status::Ok; }
  // A finished round that counts in statistics: ok and not a warm-up.
  bool counts() const { return ok() && !job.warmup; }
};

// A results document: facts about the run (free-form "context") and its records.
struct Results {
  nlohmann::ordered_json context = nlohmann::ordered_json::object();
  std::vector<RunRecord> runs;
};

// The allocators of `runs` in order of first appearance.
std::vector<std::string> allocators_of(const std::vector<RunRecord>& runs);

}  // namespace allocscope
