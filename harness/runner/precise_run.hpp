// A precision-driven run (allocscope run --precision P): the plan's rounds
// first, then one more interleaved round at a time, of only the cells whose
// ratio to the baseline is not yet known to within P, until every one is,
// or a cell reaches the round limit, or one more round would overrun the
// time budget. Each added round is written to results.json before it runs,
// so --resume rebuilds the same jobs.
#pragma once

#include <vector>

#include "harness/results/run_dir.hpp"
#include "harness/runner/plan.hpp"
#include "harness/runner/precision.hpp"
#include "harness/runner/runner.hpp"

namespace allocscope {

// Runs `plan` and the rounds it adds; returns every record. The outcome is
// in results.context["precision"]: the options, the rounds added, why it
// stopped ("reached", "max-time", "max-rounds", "interrupted"), the elapsed
// time and each comparison (precision.hpp).
Results run_precise(const std::vector<Job>& plan, const RunOptions& opt, const RunDir& dir, Results results,
                    const PrecisionOptions& p, uint64_t seed);

}  // namespace allocscope
