#include "harness/stats/verdict.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace allocscope::stats {

const char* to_string(Verdict v) {
  switch (v) {
    case Verdict::Regressed:
      return "regressed";
    case Verdict::Improved:
      return "improved";
    case Verdict::Unchanged:
      return "unchanged";
    case Verdict::Inconclusive:
      return "inconclusive";
  }
  return "?";
}

MetricPolicy policy_for(const MetricDef& def, int threads, double live_peak, double live_end) {
  MetricPolicy p;
  switch (def.cls) {
    case MetricClass::Info:
      p.compared = false;
      break;
    case MetricClass::Time:
      p.estimator = Estimator::Min;
      break;
    case MetricClass::Throughput:
      p.estimator = Estimator::Max;
      break;
    case MetricClass::Memory:
      p.floor_abs = kMemoryFloorBytes;
      break;
    case MetricClass::Ratio:
      if (def.name == "frag_peak_ratio" && live_peak > 0) p.floor_abs = kMemoryFloorBytes / live_peak;
      if (def.name == "frag_end_ratio" && live_end > 0) p.floor_abs = kMemoryFloorBytes / live_end;
      break;
    case MetricClass::Count:
      // Deterministic counts of single-threaded jobs: memory syscalls, page faults
      // and instructions. With threads they race (syscalls +-20%, faults +-8% seen):
      // compared like memory. Context switches depend on the load: never exact.
      p.exact = threads <= 1 && (def.name == "syscalls_total" || def.name == "instructions" || def.name == "minflt" ||
                                 def.name == "majflt");
      break;
  }
  if (def.direction == Direction::None) p.compared = false;
  return p;
}

namespace {

// True when `r` (a ratio cand/base) is worse than 1 + t in the metric's direction.
bool worse_than(double r, double t, Direction d) {
  return d == Direction::LowerIsBetter ? r > 1 + t : r < 1 - t;
}
bool better_than(double r, double t, Direction d) {
  return d == Direction::LowerIsBetter ? r < 1 - t : r > 1 + t;
}

}  // namespace

MetricComparison compare_metric(const MetricDef& def, const MetricPolicy& policy, const std::vector<double>& base,
                                const std::vector<double>& cand, double threshold, const VerdictRules& rules,
                                bool paired) {
  MetricComparison m;
  m.metric = def.name;
  m.unit = def.unit;
  m.cls = def.cls;
  m.direction = def.direction;
  m.policy = policy;
  m.n_base = base.size();
  m.n_cand = cand.size();
  m.threshold = threshold;
  if (base.empty() || cand.empty()) {
    m.note = "no data on one side";
    return m;
  }
  m.base = estimate(policy.estimator, base);
  m.cand = estimate(policy.estimator, cand);
  m.base_median = median(base);
  m.cand_median = median(cand);
  m.ratio = m.base != 0 ? m.cand / m.base : m.cand == 0 ? 1.0 : INFINITY;

  if (policy.exact) {
    if (worse_than(m.ratio, threshold, def.direction))
      m.verdict = Verdict::Regressed;
    else if (better_than(m.ratio, threshold, def.direction))
      m.verdict = Verdict::Improved;
    else
      m.verdict = Verdict::Unchanged;
    bool varies = minimum(base) != maximum(base) || minimum(cand) != maximum(cand);
    if (varies) m.note = "counts vary between rounds; medians compared";
    return m;
  }

  if (policy.floor_abs > 0 && std::fabs(m.cand - m.base) < policy.floor_abs) {
    m.verdict = Verdict::Unchanged;
    m.note = "difference below the absolute floor";
  }
  if (m.base == 0) {
    if (m.verdict != Verdict::Unchanged) m.note = "baseline is 0: no ratio";
    if (m.cand == 0) m.verdict = Verdict::Unchanged;
    return m;
  }
  const bool timed = def.cls == MetricClass::Time || def.cls == MetricClass::Throughput;
  if (timed) m.base_shape = round_shape(base), m.cand_shape = round_shape(cand);
  m.paired = paired && base.size() == cand.size();
  if (m.paired && timed && base.size() >= min_rounds_for_interval(0.95)) {
    // Interleaved rounds: each round's ratio cancels the load of its moment.
    const PairedRatio pr = paired_median_ratio(base, cand);
    if (pr.has_interval) {
      m.paired_median = true;
      m.ratio = pr.ratio;
      m.ci = {pr.lo, pr.hi};
      m.p = sign_test_p(base, cand);
    }
  }
  if (!m.paired_median) {
    m.ci = m.paired ? bootstrap_ratio_ci_paired(base, cand, policy.estimator, rules.bootstrap)
                    : bootstrap_ratio_ci(base, cand, policy.estimator, rules.bootstrap);
    m.p = mann_whitney(cand, base).p;
  }
  if (m.verdict == Verdict::Unchanged) return m;  // below the floor

  const bool significant = m.p < rules.alpha;
  const Direction d = def.direction;
  // The CI excludes "no change" on the worse / better side.
  const bool ci_worse = d == Direction::LowerIsBetter ? m.ci.lo > 1 : m.ci.hi < 1;
  const bool ci_better = d == Direction::LowerIsBetter ? m.ci.hi < 1 : m.ci.lo > 1;
  // Beyond the threshold with the CI excluding "no change", and significant
  // by the rank test -- or, with rules.ci_alone, the whole CI beyond the
  // threshold (the rank test looks at every round, the estimate at the best:
  // on a noisy machine a clear shift of the best rounds can come with
  // p > alpha). A bootstrap of fewer than 5 rounds per side cannot stand alone.
  const bool ci_alone = rules.ci_alone && std::min(base.size(), cand.size()) >= 5;
  const bool ci_all_worse =
      ci_alone && (d == Direction::LowerIsBetter ? m.ci.lo > 1 + threshold : m.ci.hi < 1 - threshold);
  const bool ci_all_better =
      ci_alone && (d == Direction::LowerIsBetter ? m.ci.hi < 1 - threshold : m.ci.lo > 1 + threshold);
  if (worse_than(m.ratio, threshold, d) && ci_worse && (significant || ci_all_worse))
    m.verdict = Verdict::Regressed;
  else if (better_than(m.ratio, threshold, d) && ci_better && (significant || ci_all_better))
    m.verdict = Verdict::Improved;
  else if (m.ci.lo >= 1 - threshold && m.ci.hi <= 1 + threshold)
    m.verdict = Verdict::Unchanged;
  else
    m.verdict = Verdict::Inconclusive;
  if (m.verdict == Verdict::Inconclusive && mann_whitney_min_p(base.size(), cand.size()) >= rules.alpha)
    m.note = fmt::format("too few rounds for p < {} (need 4+ per side)", rules.alpha);
  return m;
}

}  // namespace allocscope::stats
