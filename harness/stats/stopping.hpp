// The stopping rule of a precision-driven run: rounds are added until every
// job's paired ratio to the baseline is known to within the target, or until
// the time budget would be overrun by one more round.
#pragma once

#include <cstddef>

#include "harness/stats/paired_ratio.hpp"

namespace allocscope::stats {

struct StopRule {
  double precision = 0.05;   // target half-width of the interval, as a fraction
  double confidence = 0.95;  // level of the interval
  size_t min_rounds = 6;     // never stop a job before this many rounds
  double max_time_s = 0;     // whole-run budget; 0 = none
};

// A job has reached the target when it has enough rounds and its interval's
// half-width is within the target.
bool precision_reached(const PairedRatio& r, const StopRule& rule);

// Whether one more round, expected to take `next_round_s`, still ends within
// the budget after `elapsed_s`. Always true without a budget.
bool round_fits(double elapsed_s, double next_round_s, const StopRule& rule);

}  // namespace allocscope::stats
