#include "harness/stats/estimators.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace allocscope::stats {

double minimum(const std::vector<double>& v) {
  return v.empty() ? 0 : *std::min_element(v.begin(), v.end());
}
double maximum(const std::vector<double>& v) {
  return v.empty() ? 0 : *std::max_element(v.begin(), v.end());
}

double median(std::vector<double> v) {
  return quantile(std::move(v), 0.5);
}

double quantile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  q = std::clamp(q, 0.0, 1.0);
  double pos = q * static_cast<double>(v.size() - 1);
  size_t lo = static_cast<size_t>(std::floor(pos));
  size_t hi = std::min(lo + 1, v.size() - 1);
  double frac = pos - static_cast<double>(lo);
  return v[lo] + (v[hi] - v[lo]) * frac;
}

double mean(const std::vector<double>& v) {
  return v.empty() ? 0 : std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

double stddev(const std::vector<double>& v) {
  if (v.size() < 2) return 0;
  double m = mean(v), ss = 0;
  for (double x : v) ss += (x - m) * (x - m);
  return std::sqrt(ss / static_cast<double>(v.size() - 1));
}

double geomean(const std::vector<double>& v) {
  double sum = 0;
  size_t n = 0;
  for (double x : v)
    if (x > 0 && std::isfinite(x)) sum += std::log(x), ++n;
  return n ? std::exp(sum / static_cast<double>(n)) : 0;
}

double estimate(Estimator e, const std::vector<double>& v) {
  switch (e) {
    case Estimator::Min:
      return minimum(v);
    case Estimator::Max:
      return maximum(v);
    case Estimator::Median:
      return median(v);
  }
  return 0;
}

const char* to_string(Estimator e) {
  switch (e) {
    case Estimator::Min:
      return "min";
    case Estimator::Max:
      return "max";
    case Estimator::Median:
      return "median";
  }
  return "?";
}

}  // namespace allocscope::stats
