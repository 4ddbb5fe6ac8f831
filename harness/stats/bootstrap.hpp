// Bootstrap confidence interval of the ratio estimate(candidate) /
// estimate(baseline): each side's rounds are resampled with replacement,
// independently (rounds are the independent samples: each is a fresh
// process). Deterministic: the generator is seeded and its draws are
// reduced without library-specific distributions, so the same data give
// the same interval on every platform.
#pragma once

#include <cstdint>
#include <vector>

#include "harness/stats/estimators.hpp"

namespace allocscope::stats {

struct Interval {
  double lo = 0, hi = 0;
};

struct BootstrapOptions {
  int resamples = 2000;
  double confidence = 0.95;
  uint64_t seed = 0x616c6c6f63ULL;
};

// Percentile interval of the ratio. Resamples whose baseline estimate is 0
// are skipped; an empty side gives {0, 0}.
Interval bootstrap_ratio_ci(const std::vector<double>& baseline, const std::vector<double>& candidate, Estimator est,
                            const BootstrapOptions& opt = {});

// Paired version for interleaved runs: baseline[i] and candidate[i] come from
// the same round (run back to back, in a shuffled order), and whole rounds are
// resampled, so load that changes from round to round stays paired. The
// vectors must have the same length.
Interval bootstrap_ratio_ci_paired(const std::vector<double>& baseline, const std::vector<double>& candidate,
                                   Estimator est, const BootstrapOptions& opt = {});

}  // namespace allocscope::stats
