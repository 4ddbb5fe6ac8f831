// The terminal table printed after a run: per workload and thread count, each
// allocator's best throughput (or wall time for whole programs) relative to
// the first allocator, and its median peak RSS, marked when the workload's own
// live bytes at its peak differed from the first allocator's.
#pragma once

#include <string>
#include <vector>

#include "harness/results/run_record.hpp"

namespace allocscope {

std::string summary_table(const std::vector<RunRecord>& runs);

}  // namespace allocscope
