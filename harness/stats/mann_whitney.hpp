// Mann-Whitney U test (Wilcoxon rank-sum) of two independent samples, two
// sided. Small samples (n1 + n2 <= 40) get the exact permutation
// distribution of the rank sum, mid-ranks included, so ties are handled
// exactly; larger ones the normal approximation with tie and continuity
// corrections (Boost.Math normal distribution).
#pragma once

#include <cstddef>
#include <vector>

namespace allocscope::stats {

struct MannWhitney {
  double u = 0;        // U of the first sample: pairs (a > b) + half the ties
  double p = 1;        // two-sided p-value
  bool exact = false;  // exact permutation distribution (else normal approximation)
};

MannWhitney mann_whitney(const std::vector<double>& a, const std::vector<double>& b);

// The smallest two-sided p-value the test can give for these sample sizes
// (all of one sample above the other, no ties): below alpha or the test can
// never be significant.
double mann_whitney_min_p(size_t n1, size_t n2);

}  // namespace allocscope::stats
