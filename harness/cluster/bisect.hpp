// Bisection of a performance change over a range of commits: the good and
// the bad end are measured until they differ significantly, then each
// midpoint is measured, round after round, until it is significantly unlike
// one end (Mann-Whitney) or the budget of rounds is spent.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace allocscope::cluster {

struct BisectOptions {
  double alpha = 0.05;  // significance of each verdict (Mann-Whitney, two-sided)
  int min_rounds = 4;   // measurements of a commit before the first verdict (4 vs 4: p >= 0.029)
  int max_rounds = 12;  // the budget per commit
};

enum class StepVerdict { Good, Bad, Closer_Good, Closer_Bad };

struct BisectStep {
  std::string rev;
  StepVerdict verdict;
  std::vector<double> values;
  double p_vs_good = 1, p_vs_bad = 1;
};

struct BisectResult {
  std::string first_bad;
  bool certain = true;  // every verdict was significant
  std::vector<double> good_values, bad_values;
  double p_ends = 1;  // good vs bad
  std::vector<BisectStep> steps;
};

// One measurement of a commit (a positive number); may throw.
using Measure = std::function<double(const std::string& rev)>;

// `revs`: the good commit, the commits after it, the bad commit last (oldest
// first). Throws std::runtime_error when the ends do not differ within the
// budget. `log` is told each step.
BisectResult bisect(const std::vector<std::string>& revs, const Measure& measure, const BisectOptions& opt,
                    const std::function<void(const BisectStep&)>& log = {});

const char* to_string(StepVerdict v);

}  // namespace allocscope::cluster
