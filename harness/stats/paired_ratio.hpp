// The ratio of a candidate to its baseline from interleaved rounds, with a
// distribution-free confidence interval.
//
// Each round runs the baseline and the candidate back to back (in a shuffled
// order), so round i gives one paired ratio c_i / b_i in which load that
// changes from round to round mostly cancels. The estimate is the median of
// these ratios, and its interval comes from the order statistics of the
// sorted log-ratios (the sign-test interval): it assumes only that rounds are
// independent, not that the noise is normal, and a few disturbed rounds move
// it by at most a rank or two. See docs/compare.md
// ("Precision-driven runs") for why this estimator.
#pragma once

#include <cstddef>
#include <vector>

namespace allocscope::stats {

struct PairedRatio {
  double ratio = 0;           // median of c_i / b_i; 0 when no pair
  double lo = 0, hi = 0;      // confidence interval; 0 when too few rounds
  size_t rounds = 0;          // pairs used (both values positive)
  bool has_interval = false;  // false when rounds are too few for the level
  // Half-width of the interval as a fraction of the ratio: the larger of
  // ratio/lo - 1 and hi/ratio - 1. Infinite without an interval.
  double half_width() const;
};

// Smallest number of pairs for which a sign-test interval at `confidence`
// exists (6 at 95%).
size_t min_rounds_for_interval(double confidence);

// Pairs with a non-positive side are dropped (a failed round has no ratio).
PairedRatio paired_median_ratio(const std::vector<double>& baseline, const std::vector<double>& candidate,
                                double confidence = 0.95);

// Two-sided exact sign test of "the paired ratios' median is 1": pairs with
// a non-positive side or a ratio of exactly 1 are dropped; 1 when none is left.
double sign_test_p(const std::vector<double>& baseline, const std::vector<double>& candidate);

}  // namespace allocscope::stats
