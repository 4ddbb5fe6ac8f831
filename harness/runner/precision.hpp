// Where a precision-driven run stands: for each cell (workload, parameters,
// threads) and each allocator other than the baseline, the paired ratio of
// its rounds to the baseline's on the cell's primary metric (throughput,
// else wall time), and whether the interval is as narrow as asked.
#pragma once

#include <string>
#include <vector>

#include "harness/results/record_json.hpp"
#include "harness/results/run_record.hpp"
#include "harness/stats/stopping.hpp"

namespace allocscope {

struct PrecisionOptions {
  stats::StopRule rule;  // precision as a fraction, confidence, min rounds, max time
  std::string baseline;  // allocator every other one is compared with
  int max_rounds = 50;   // no cell runs more rounds than this
  std::string metric;    // the metric compared; "" = ops_per_s, else wall_s
};

struct CellPrecision {
  std::string cell;   // JobIdentity::cell_key(false)
  std::string label;  // "workload t=N" with the parameters, for people
  std::string candidate;
  std::string metric;  // ops_per_s, or wall_s for whole programs
  stats::PairedRatio ratio;
  int rounds = 0;  // rounds of this cell that ran, failed or not
  bool reached = false;
  // The shape of the rounds (stats/modes.hpp): the baseline's or the
  // candidate's values fall in two clusters; per-round ratios far from the rest.
  bool two_modes = false;
  size_t outlier_rounds = 0;
};

// The comparisons of `runs` (warm-up rounds left out). A round counts for a
// pair when both the baseline's and the candidate's job of that round
// succeeded. A cell without a baseline record has no comparison.
std::vector<CellPrecision> evaluate_precision(const std::vector<RunRecord>& runs, const PrecisionOptions& p);

// The summary kept in results.json under context.precision.comparisons.
json to_json(const std::vector<CellPrecision>& cells, double target);

}  // namespace allocscope
