// Change points in a series of runs: E-divisive means (energy statistic,
// binary segmentation) with a permutation test per split.
//
// Why this method: a benchmark series on a shared machine is noisy, skewed
// and has outliers, so no test that assumes a distribution is trusted. The
// energy statistic compares whole distributions, and the permutation test
// calibrates it from the series itself: under "no change" every order of
// the runs is equally likely, so the p-value of the best split (the maximum
// over all split positions, which is the multiple-testing part) is exact.
// Splitting continues only inside segments whose best split was
// significant, so a series without a change reports one with probability
// about alpha (measured in docs/scale-out.md and tests/cluster). Values are
// compared on a log scale (multiplicative noise); a change smaller than
// `min_change` is not reported however significant it is.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace allocscope::stats {

struct ChangePointOptions {
  double alpha = 0.01;       // significance of each split (permutation p-value)
  int permutations = 999;    // permutation test size
  size_t min_segment = 2;    // runs on each side of a split, at least
  double min_change = 0.10;  // smallest |ratio - 1| that is reported
  uint64_t seed = 0x63686770;
};

struct ChangePoint {
  size_t index = 0;   // first point after the change
  double ratio = 1;   // mean of the segment after / mean of the segment before
  double p = 1;       // permutation p-value of the split
  double before = 0;  // mean of the segment before
  double after = 0;   // mean of the segment after
};

// Change points of `series` (positive values, in run order), sorted by index.
std::vector<ChangePoint> change_points(const std::vector<double>& series, const ChangePointOptions& opt = {});

}  // namespace allocscope::stats
