// Runs a plan: each job in a fresh child, each finished job appended to the
// journal before the next starts, results.json rewritten atomically.
#pragma once

#include <string>
#include <vector>

#include "harness/results/results_io.hpp"
#include "harness/results/run_dir.hpp"
#include "harness/runner/launcher.hpp"
#include "harness/runner/output_metrics.hpp"
#include "harness/runner/plan.hpp"

namespace allocscope {

struct RunOptions {
  std::string worker_path;
  double timeout_s = 600;
  uint64_t mem_limit_bytes = 0;
  std::string mem_limit_method = "auto";  // auto | cgroup | rlimit
  double rss_interval_s = 0.010;
  bool count_syscalls = true;
  bool force_ptrace_counting = false;
  uint64_t latency_every = 0;
  bool track_usable = false;
  bool quiet = false;
  bool count_instructions = false;  // run each job once more under Valgrind for metrics.instructions
  std::string valgrind_path;
  std::vector<Adapter> allocators;    // every available allocator: the Adapters that Job::allocator points to
  json record_tags = json::object();  // keys added to every record (where it ran, under Slurm)
  // --exec jobs: each stream's last output_keep_bytes saved in
  // DIR/output/job-N.{stdout,stderr}, and the metrics read from it. DIR is
  // output_dir, which run_plan sets to the run folder ("" keeps no files).
  size_t output_keep_bytes = size_t{1} << 20;
  std::string output_dir;
  bool thp_never = false;                // --thp never: PR_SET_THP_DISABLE for each job
  std::string thp_condition = "system";  // the THP mode each job ran under, as recorded
  std::string placement = "none";        // --placement: where the worker's threads run (none | spread)
  bool heap_shift = false;               // --heap-shift: a heap layout of its own for each round
  std::vector<OutputMetric> output_metrics;
};

// The identity a job's record carries (allocator, workload, round, ...).
JobIdentity identity_of(const Job& job);

// The run record for one job (see docs/results-schema.md).
RunRecord run_job(const Job& job, const RunOptions& opt);

// The launcher's end of a child as a Status (the launcher's result keeps its
// own word; this is where it meets the run record).
Status status_of(const LaunchResult& lr);

// The valgrind program on PATH, or "" when there is none.
std::string find_valgrind();

// Parses the total instruction count (Ir) from a cachegrind/callgrind output
// file: the "summary:" (or "totals:") line; -1 when absent.
long long parse_valgrind_ir(const std::string& text);

// Runs `jobs` (skipping those already in `results`), appending each record
// to the run folder's journal and rewriting its results.json. Returns the
// results with every record.
Results run_plan(const std::vector<Job>& jobs, const RunOptions& opt, const RunDir& dir, Results results);

}  // namespace allocscope
