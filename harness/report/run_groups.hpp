// The runs of a results document grouped by job (allocator, workload,
// params, threads), in the order the jobs first appear; only finished rounds
// (status ok, not a warm-up). Shared by the exports and the report.
#pragma once

#include <string>
#include <vector>

#include "harness/results/run_record.hpp"

namespace allocscope {

struct RunGroup {
  std::string allocator, workload;
  int threads = 1;
  std::string name;                    // "workload/k=v,.../threads:N" (no allocator)
  std::vector<const RunRecord*> runs;  // ok, non-warm-up, in round order
};

std::vector<RunGroup> group_by_job(const Results& doc);

}  // namespace allocscope
