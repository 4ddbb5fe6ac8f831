// The runs of a results document grouped by job (allocator, workload,
// params, threads), in the order the jobs first appear; only finished rounds
// (status ok, not a warm-up). Shared by the exports and the report.
#pragma once

#include <string>
#include <vector>

#include "results/results_io.hpp"

namespace allocscope {

struct RunGroup {
  std::string allocator, workload;
  int threads = 1;
  std::string name;               // "workload/k=v,.../threads:N" (no allocator)
  std::vector<const json*> runs;  // ok, non-warm-up, in round order
};

std::vector<RunGroup> group_by_job(const json& doc);
// "workload/k=v,.../threads:N" of one run.
std::string bench_name(const json& run);
// The allocators of the document in order of first appearance.
std::vector<std::string> allocators_of(const json& doc);
// Every numeric metric of a run, nested objects flattened as "outer.inner".
std::vector<std::pair<std::string, double>> flat_metrics(const json& run);

}  // namespace allocscope
