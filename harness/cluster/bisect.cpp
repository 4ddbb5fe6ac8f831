#include "harness/cluster/bisect.hpp"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

#include "harness/stats/estimators.hpp"
#include "harness/stats/mann_whitney.hpp"

namespace allocscope::cluster {

namespace {

double distance(const std::vector<double>& a, const std::vector<double>& b) {
  return std::fabs(std::log(stats::median(a) / stats::median(b)));
}

// Measures `rev` until it is significantly unlike one end and not unlike the
// other, or the budget is spent (then: the end its median is closer to).
BisectStep classify(const std::string& rev, const BisectResult& r, const Measure& measure, const BisectOptions& opt) {
  BisectStep s{rev, StepVerdict::Closer_Good, {}, 1, 1};
  while (static_cast<int>(s.values.size()) < opt.max_rounds) {
    s.values.push_back(measure(rev));
    if (static_cast<int>(s.values.size()) < opt.min_rounds) continue;
    s.p_vs_good = stats::mann_whitney(s.values, r.good_values).p;
    s.p_vs_bad = stats::mann_whitney(s.values, r.bad_values).p;
    const bool unlike_good = s.p_vs_good < opt.alpha, unlike_bad = s.p_vs_bad < opt.alpha;
    if (unlike_good != unlike_bad) {
      s.verdict = unlike_good ? StepVerdict::Bad : StepVerdict::Good;
      return s;
    }
  }
  s.verdict = distance(s.values, r.good_values) <= distance(s.values, r.bad_values) ? StepVerdict::Closer_Good
                                                                                    : StepVerdict::Closer_Bad;
  return s;
}

}  // namespace

const char* to_string(StepVerdict v) {
  switch (v) {
    case StepVerdict::Good:
      return "good";
    case StepVerdict::Bad:
      return "bad";
    case StepVerdict::Closer_Good:
      return "good (not significant: closer to good)";
    case StepVerdict::Closer_Bad:
      return "bad (not significant: closer to bad)";
  }
  return "?";
}

BisectResult bisect(const std::vector<std::string>& revs, const Measure& measure, const BisectOptions& opt,
                    const std::function<void(const BisectStep&)>& log) {
  if (revs.size() < 2) throw std::runtime_error("bisect: need a good and a bad commit");
  BisectResult r;
  // The ends, interleaved, until they differ significantly.
  while (static_cast<int>(r.good_values.size()) < opt.max_rounds) {
    r.good_values.push_back(measure(revs.front()));
    r.bad_values.push_back(measure(revs.back()));
    if (static_cast<int>(r.good_values.size()) < opt.min_rounds) continue;
    r.p_ends = stats::mann_whitney(r.good_values, r.bad_values).p;
    if (r.p_ends < opt.alpha) break;
  }
  if (!(r.p_ends < opt.alpha))
    throw std::runtime_error(fmt::format(
        "good ({}, median {:.6g}) and bad ({}, median {:.6g}) do not differ significantly after {} rounds each "
        "(p = {:.3g}): nothing to bisect",
        revs.front(), stats::median(r.good_values), revs.back(), stats::median(r.bad_values), opt.max_rounds,
        r.p_ends));
  size_t lo = 0, hi = revs.size() - 1;  // revs[lo] good, revs[hi] bad
  while (hi - lo > 1) {
    size_t mid = lo + (hi - lo) / 2;
    BisectStep s = classify(revs[mid], r, measure, opt);
    if (s.verdict == StepVerdict::Closer_Good || s.verdict == StepVerdict::Closer_Bad) r.certain = false;
    (s.verdict == StepVerdict::Good || s.verdict == StepVerdict::Closer_Good ? lo : hi) = mid;
    if (log) log(s);
    r.steps.push_back(std::move(s));
  }
  r.first_bad = revs[hi];
  return r;
}

}  // namespace allocscope::cluster
