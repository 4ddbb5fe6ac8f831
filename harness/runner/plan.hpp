// The job matrix: which allocators run which workloads with which thread
// counts, in how many rounds. Built from the command line and suite files.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "allocator/adapters/adapter.hpp"

namespace allocscope {

// One workload selection: "NAME[:key=value,...]" plus an optional thread list.
struct WorkloadSel {
  std::string name;
  std::map<std::string, std::string> params;  // as given
  std::vector<int> threads;                   // empty = the run's --threads
  std::string origin;                         // "--workload" or "file:line", for messages
};

// Parses "NAME[:k=v,...]"; throws InputError naming `origin`.
WorkloadSel parse_workload_spec(const std::string& spec, const std::string& origin);
// Parses "1,2,4"; throws InputError.
std::vector<int> parse_int_list(const std::string& text, const std::string& what);

struct Suite {
  std::string name, path;
  std::vector<WorkloadSel> workloads;
  std::vector<std::string> allocators;  // empty = all available
  std::vector<int> threads;
  int reps = 0;        // 0 = not set
  double timeout = 0;  // 0 = not set
  // How the suite is best measured; each applies where the command line is
  // silent (see apply_suites in cmd_run.cpp). 0 = not set.
  double precision = 0;      // percent, as --precision
  double max_time = 0;       // seconds, as --max-time
  double min_window_ms = 0;  // as --min-window
  bool heap_shift = false;   // as --heap-shift (the directive takes no argument)
};

std::string suite_dir();
std::vector<std::string> list_suites();
// Loads a suite by name (from suite_dir()) or by path; throws InputError.
Suite load_suite(const std::string& name_or_path);
// Parses suite text; `path` names it in messages. Throws InputError.
Suite parse_suite(const std::string& text, const std::string& path);

struct Job {
  size_t index = 0;  // position in the full matrix (stable across runs, used for sharding and resume)
  // The allocator, as selected on the command line (owned by the run's
  // allocator list, e.g. RunOptions::allocators); never looked up again.
  const Adapter* allocator = nullptr;
  std::string workload;
  std::map<std::string, std::string> params;  // resolved: every declared parameter
  int threads = 1;
  int round = 0;
  uint64_t seed = 42;
  bool warmup = false;
  std::vector<std::string> exec_argv;  // for --exec and whole-program workloads
  // Identifies the job across rounds (allocator|workload|params|threads).
  std::string key() const;
  std::string label() const;  // short text for progress lines
  const std::string& allocator_name() const { return allocator->name; }
};

struct PlanRequest {
  std::vector<WorkloadSel> workloads;
  std::vector<const Adapter*> allocators;
  std::vector<int> threads{1};
  int reps = 1;
  bool warmup = false;  // an extra first round, discarded in statistics
  uint64_t seed = 42;
  std::vector<std::string> exec_argv;  // non-empty: the workload is this command
};

// Validates every workload and parameter (throws InputError listing valid
// names) and returns the jobs in run order: one round per repetition, each in
// its own shuffled order.
std::vector<Job> build_plan(const PlanRequest& req);

// "--shard I/N" (1 <= I <= N): which slice of the matrix this machine runs.
struct Shard {
  int index = 1, count = 1;
};
Shard parse_shard(const std::string& text);  // throws InputError
// The jobs of shard `s`: the distinct cells (Job::key) in sorted order are
// dealt round-robin, so every round of a cell lands in the same shard, the
// shards are disjoint, their union is the matrix, and every machine given the
// same arguments computes the same split. Job::index is kept.
std::vector<Job> select_shard(const std::vector<Job>& jobs, const Shard& s);

}  // namespace allocscope
