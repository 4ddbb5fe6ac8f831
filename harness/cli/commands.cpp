#include "harness/cli/commands.hpp"

namespace allocscope {

const std::vector<Command>& commands() {
  static const std::vector<Command> table{
      {"run", "run workloads under allocators, each job in a fresh process", cmd_run},
      {"record", "run a program with its allocations recorded to a trace file", cmd_record},
      {"trace", "inspect (info) or import (convert) allocation traces", cmd_trace},
      {"compare", "compare a baseline with a candidate: CI, p-value and verdict per job and metric", cmd_compare},
      {"gate", "regression gate for CI: exit 1 when a gated metric regressed", cmd_gate},
      {"export", "export results as Google Benchmark JSON, CSV, Bencher BMF or github-action-benchmark JSON",
       cmd_export},
      {"report", "write report.md and a self-contained report.html with charts", cmd_report},
      {"history", "a database of runs (SQLite): add a run, show a series, find change points", cmd_history},
      {"slurm", "run a suite as a Slurm job array (one shard per task), wait, merge, resubmit failed tasks", cmd_slurm},
      {"bisect", "find the first commit of a performance change (repeated measurements per step)", cmd_bisect},
      {"merge", "combine results of shards (run --shard I/N) into one results.json", cmd_merge},
      {"stress", "check each allocator's correctness under multithreaded load", cmd_stress},
      {"probe", "heap-misuse detection and malloc API conformance per allocator", cmd_probe},
      {"conform", "glibc's own malloc tests run under each allocator: a pass/fail table", cmd_conform},
      {"list", "list allocators, workloads, suites or metrics", cmd_list},
      {"micro", "run the Google Benchmark micro-benchmarks under each allocator", cmd_micro},
  };
  return table;
}

}  // namespace allocscope
