#include "harness/stats/modes.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace allocscope::stats {

namespace {

double median_of_sorted(const std::vector<double>& s, size_t from, size_t to) {
  const size_t n = to - from;
  return n % 2 ? s[from + n / 2] : (s[from + n / 2 - 1] + s[from + n / 2]) / 2;
}

double median_copy(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return median_of_sorted(v, 0, v.size());
}

// Width of the middle of one cluster (sorted range [from, to)): its range,
// which for the few values a job has is the honest spread.
double spread(const std::vector<double>& s, size_t from, size_t to) {
  return s[to - 1] - s[from];
}

}  // namespace

ModeSplit detect_modes(const std::vector<double>& values, const ModeOptions& opt) {
  ModeSplit out;
  std::vector<double> logs;
  for (double v : values)
    if (v > 0) logs.push_back(std::log(v));
  const size_t n = logs.size();
  const size_t min_n = std::max(opt.min_count, static_cast<size_t>(std::ceil(opt.min_share * n)));
  if (n < 2 * min_n || n < 4) return out;
  std::sort(logs.begin(), logs.end());
  // The widest gap between neighbours with enough values on both sides.
  size_t best = 0;
  double best_gap = -1;
  for (size_t i = min_n; i + min_n <= n; ++i) {
    double gap = logs[i] - logs[i - 1];
    if (gap > best_gap) best_gap = gap, best = i;
  }
  if (best == 0) return out;
  const double within = std::max(spread(logs, 0, best), spread(logs, best, n));
  out.low_count = best;
  out.high_count = n - best;
  out.low_center = std::exp(median_of_sorted(logs, 0, best));
  out.high_center = std::exp(median_of_sorted(logs, best, n));
  out.separation = within > 0 ? best_gap / within : (best_gap > 0 ? INFINITY : 0);
  out.multimodal = out.separation >= opt.min_separation && out.high_center >= opt.min_ratio * out.low_center;
  return out;
}

std::vector<size_t> outliers(const std::vector<double>& values, double threshold, double min_relative) {
  std::vector<size_t> out;
  std::vector<double> logs;
  std::vector<size_t> index;
  for (size_t i = 0; i < values.size(); ++i)
    if (values[i] > 0) logs.push_back(std::log(values[i])), index.push_back(i);
  if (logs.size() < 5) return out;
  const double med = median_copy(logs);
  std::vector<double> dev;
  for (double l : logs) dev.push_back(std::fabs(l - med));
  const double mad = median_copy(dev);
  const double min_log = std::log1p(min_relative);
  for (size_t i = 0; i < logs.size(); ++i) {
    const double d = std::fabs(logs[i] - med);
    // mad == 0: more than half the values are equal, and any other value far enough is outlying.
    if (d >= min_log && d > 0 && (mad <= 0 || 0.6745 * d / mad > threshold)) out.push_back(index[i]);
  }
  return out;
}

RoundShape round_shape(const std::vector<double>& values) {
  RoundShape s;
  s.modes = detect_modes(values);
  // Two clusters make every round of the smaller one look outlying: say
  // "two modes" alone then.
  if (!s.modes.multimodal) s.outliers = outliers(values).size();
  return s;
}

std::string describe(const RoundShape& s, const std::function<std::string(double)>& value) {
  if (s.two_modes())
    return fmt::format("two modes: {} rounds near {}, {} near {}", s.modes.low_count, value(s.modes.low_center),
                       s.modes.high_count, value(s.modes.high_center));
  if (s.outliers) return fmt::format("{} outlying round{}", s.outliers, s.outliers == 1 ? "" : "s");
  return {};
}

}  // namespace allocscope::stats
