// Matching the jobs of a baseline and a candidate and comparing each
// metric: two results files (jobs matched by allocator + workload + params +
// threads), or one file and two allocators (matched by workload + params +
// threads). Only finished rounds count: status ok and not a warm-up.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "harness/results/results_io.hpp"
#include "harness/stats/verdict.hpp"

namespace allocscope::stats {

struct CompareInput {
  Results base_doc, cand_doc;                // the same document in one-file mode
  std::string base_name, cand_name;          // labels: file names or allocator names
  std::string base_alloc, cand_alloc;        // one-file mode: the two allocators; empty in two-file mode
  std::vector<std::string> metrics;          // metrics to compare (in this order)
  std::map<std::string, double> thresholds;  // fraction per metric
  VerdictRules rules;
};

struct JobComparison {
  std::string workload, allocator;  // allocator: two-file mode only
  std::map<std::string, std::string> params;
  std::vector<std::string> command;  // for --exec jobs
  int threads = 1;
  std::vector<MetricComparison> metrics;
  std::string key() const;
  std::string name() const;  // "workload/p=v,.../threads:N" (+ " [allocator]")
};

struct Comparison {
  std::string base_name, cand_name;
  std::vector<JobComparison> jobs;
  std::vector<std::string> metrics;                     // compared metrics in order
  std::map<std::string, double> geomean;                // metric -> geometric mean of ratios over jobs
  std::vector<std::string> only_in_base, only_in_cand;  // unmatched job names
  size_t count(Verdict v) const;
  size_t count_flagged() const;  // job-metric rows with two modes or outlying rounds
};

// Default thresholds of `allocscope compare` (the band for "unchanged").
double default_compare_threshold(const std::string& metric);
// The metrics `allocscope compare` shows when none are named.
const std::vector<std::string>& default_compare_metrics();

// Numeric values of one metric over the ok, non-warm-up runs in `runs`.
std::vector<double> metric_samples(const std::vector<const RunRecord*>& runs, const std::string& metric);

// Throws InputError when the allocators are not in the file or nothing matches.
Comparison compare(const CompareInput& in);

// Group key of a run: workload|params|threads (+ allocator first when with_allocator).
std::string job_key(const JobIdentity& job, bool with_allocator);

}  // namespace allocscope::stats
