// How one metric of one job is compared between a baseline and a candidate,
// and the verdict. The metric's class (harness/results/metrics.cpp) decides
// the method:
//   time        min of the rounds (best), bootstrap CI of the ratio, Mann-Whitney p
//   throughput  max of the rounds (best), bootstrap CI of the ratio, Mann-Whitney p
//   memory      median, bootstrap CI, p, and an absolute floor (256 KiB: THP moves RSS in 2 MiB steps)
//   ratio       median, bootstrap CI, p (fragmentation ratios get the RSS floor divided by the live bytes)
//   count       exact (no CI) when the count is deterministic: memory syscalls, instructions and
//               page faults of single-threaded jobs; otherwise like memory without a floor
//   info        never compared
// Verdicts: regressed / improved when the change is beyond the threshold AND
// the CI excludes "no change" AND p < alpha (rule "strict", the default) --
// or, rule "ci", p < alpha OR (with 5+ rounds per side) the whole CI beyond
// the threshold (exact counts: when the change is beyond the threshold); unchanged when the whole CI lies inside the
// threshold band (or the difference is below the floor); inconclusive
// otherwise.
#pragma once

#include <cmath>
#include <string>
#include <vector>

#include "harness/results/metrics.hpp"
#include "harness/stats/bootstrap.hpp"
#include "harness/stats/estimators.hpp"
#include "harness/stats/mann_whitney.hpp"
#include "harness/stats/modes.hpp"
#include "harness/stats/paired_ratio.hpp"

namespace allocscope::stats {

enum class Verdict { Regressed, Improved, Unchanged, Inconclusive };
const char* to_string(Verdict v);

inline constexpr double kMemoryFloorBytes = 256.0 * 1024;

struct MetricPolicy {
  bool compared = true;  // false for info metrics
  bool exact = false;    // compare the values, no CI
  Estimator estimator = Estimator::Median;
  double floor_abs = 0;  // differences smaller than this (metric units) are no change
};

// live_peak/live_end: median live bytes of the job (0 = unknown), for the
// fragmentation ratios' floor.
MetricPolicy policy_for(const MetricDef& def, int threads, double live_peak = 0, double live_end = 0);

struct VerdictRules {
  double alpha = 0.05;
  // Also accept a CI lying wholly beyond the threshold without p < alpha
  // (5+ rounds per side): more detections, more false alarms (docs/gate.md).
  bool ci_alone = false;
  BootstrapOptions bootstrap;
};

struct MetricComparison {
  std::string metric, unit;
  MetricClass cls = MetricClass::Info;
  Direction direction = Direction::None;
  MetricPolicy policy;
  size_t n_base = 0, n_cand = 0;
  double base = 0, cand = 0;  // the point estimates (policy.estimator)
  double base_median = NAN, cand_median = NAN;
  bool paired = false;  // CI from resampling whole rounds
  // Time and throughput from 6+ interleaved rounds: the ratio is the median
  // of the per-round ratios, the CI its sign-test interval and p the sign
  // test (stats/paired_ratio.hpp), as --precision decides on. base and cand
  // stay the best rounds, for display.
  bool paired_median = false;
  double ratio = NAN;     // cand / base (inf when base is 0 and cand is not)
  Interval ci{NAN, NAN};  // of the ratio; NaN for exact comparisons
  double p = NAN;         // Mann-Whitney; NaN for exact comparisons
  double threshold = 0;   // fraction, e.g. 0.05
  Verdict verdict = Verdict::Inconclusive;
  std::string note;  // why, when not obvious (floor, too few rounds, ...)
  // The rounds' shape on each side (not for exact counts): two modes or
  // outlying rounds make one ratio misleading, and the outputs flag the row.
  RoundShape base_shape, cand_shape;
  bool flagged() const { return base_shape.flagged() || cand_shape.flagged(); }
};

// `paired`: base[i] and cand[i] come from the same round of one interleaved
// run; the bootstrap then resamples whole rounds.
MetricComparison compare_metric(const MetricDef& def, const MetricPolicy& policy, const std::vector<double>& base,
                                const std::vector<double>& cand, double threshold, const VerdictRules& rules = {},
                                bool paired = false);

}  // namespace allocscope::stats
