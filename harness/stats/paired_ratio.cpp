#include "harness/stats/paired_ratio.hpp"

#include <algorithm>
#include <boost/math/distributions/binomial.hpp>
#include <cmath>
#include <limits>

namespace allocscope::stats {

namespace {

// Largest k >= 1 such that P(X < k) <= alpha / 2 for X ~ Binomial(n, 1/2):
// the interval [x_(k), x_(n-k+1)] then covers the median with probability at
// least 1 - alpha. Returns 0 when no such k exists (n too small).
size_t sign_test_rank(size_t n, double confidence) {
  if (n == 0) return 0;
  const double half_alpha = (1 - confidence) / 2;
  boost::math::binomial_distribution<double> b(static_cast<double>(n), 0.5);
  size_t k = 0;
  // P(X < k) = cdf(k - 1); it grows with k, so scan up from 1.
  for (size_t cand = 1; cand <= n / 2; ++cand) {
    if (boost::math::cdf(b, static_cast<double>(cand - 1)) <= half_alpha)
      k = cand;
    else
      break;
  }
  return k;
}

double median_of_sorted(const std::vector<double>& s) {
  const size_t n = s.size();
  return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

}  // namespace

double PairedRatio::half_width() const {
  if (!has_interval || lo <= 0 || ratio <= 0) return std::numeric_limits<double>::infinity();
  return std::max(ratio / lo - 1, hi / ratio - 1);
}

size_t min_rounds_for_interval(double confidence) {
  for (size_t n = 1; n < 1000; ++n)
    if (sign_test_rank(n, confidence) > 0) return n;
  return 1000;
}

PairedRatio paired_median_ratio(const std::vector<double>& baseline, const std::vector<double>& candidate,
                                double confidence) {
  PairedRatio out;
  std::vector<double> logs;
  const size_t n = std::min(baseline.size(), candidate.size());
  for (size_t i = 0; i < n; ++i)
    if (baseline[i] > 0 && candidate[i] > 0) logs.push_back(std::log(candidate[i] / baseline[i]));
  out.rounds = logs.size();
  if (logs.empty()) return out;
  std::sort(logs.begin(), logs.end());
  out.ratio = std::exp(median_of_sorted(logs));
  const size_t k = sign_test_rank(logs.size(), confidence);
  if (k == 0) return out;
  out.has_interval = true;
  out.lo = std::exp(logs[k - 1]);
  out.hi = std::exp(logs[logs.size() - k]);
  return out;
}

double sign_test_p(const std::vector<double>& baseline, const std::vector<double>& candidate) {
  size_t above = 0, below = 0;
  const size_t n = std::min(baseline.size(), candidate.size());
  for (size_t i = 0; i < n; ++i) {
    if (!(baseline[i] > 0 && candidate[i] > 0) || candidate[i] == baseline[i]) continue;
    (candidate[i] > baseline[i] ? above : below) += 1;
  }
  const size_t m = above + below;
  if (m == 0) return 1;
  boost::math::binomial_distribution<double> b(static_cast<double>(m), 0.5);
  return std::min(1.0, 2 * boost::math::cdf(b, static_cast<double>(std::min(above, below))));
}

}  // namespace allocscope::stats
