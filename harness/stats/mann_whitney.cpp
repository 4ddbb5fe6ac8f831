#include "harness/stats/mann_whitney.hpp"

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <numeric>
#include <utility>

namespace allocscope::stats {

namespace {

constexpr size_t kExactLimit = 40;

// Twice the mid-ranks of the pooled sample (integers), first a then b.
std::vector<long> doubled_ranks(const std::vector<double>& a, const std::vector<double>& b, double* tie_term) {
  std::vector<std::pair<double, size_t>> pooled;
  for (size_t i = 0; i < a.size(); ++i) pooled.emplace_back(a[i], i);
  for (size_t i = 0; i < b.size(); ++i) pooled.emplace_back(b[i], a.size() + i);
  std::sort(pooled.begin(), pooled.end());
  std::vector<long> r(pooled.size());
  *tie_term = 0;
  for (size_t i = 0; i < pooled.size();) {
    size_t j = i;
    while (j < pooled.size() && pooled[j].first == pooled[i].first) ++j;
    long twice_mid = static_cast<long>(i + 1 + j);  // (i+1 + j) / 2 is the mid-rank
    for (size_t k = i; k < j; ++k) r[pooled[k].second] = twice_mid;
    double t = static_cast<double>(j - i);
    *tie_term += t * t * t - t;
    i = j;
  }
  return r;
}

}  // namespace

MannWhitney mann_whitney(const std::vector<double>& a, const std::vector<double>& b) {
  MannWhitney out;
  const size_t n1 = a.size(), n2 = b.size();
  if (n1 == 0 || n2 == 0) return out;
  double tie_term = 0;
  std::vector<long> r = doubled_ranks(a, b, &tie_term);
  long w2 = std::accumulate(r.begin(), r.begin() + static_cast<long>(n1), 0L);  // 2 * rank sum of a
  const double n1d = static_cast<double>(n1), n2d = static_cast<double>(n2), n = n1d + n2d;
  out.u = static_cast<double>(w2) / 2 - n1d * (n1d + 1) / 2;
  const double mu_u = n1d * n2d / 2;

  if (n1 + n2 <= kExactLimit) {
    // count[k][s]: subsets of size k of the pooled doubled ranks summing to s.
    long total = std::accumulate(r.begin(), r.end(), 0L);
    std::vector<std::vector<double>> count(n1 + 1, std::vector<double>(static_cast<size_t>(total) + 1, 0));
    count[0][0] = 1;
    for (size_t i = 0; i < r.size(); ++i)
      for (size_t k = std::min(i + 1, n1); k >= 1; --k)
        for (long s = total; s >= r[i]; --s)
          count[k][static_cast<size_t>(s)] += count[k - 1][static_cast<size_t>(s - r[i])];
    // Doubled expected rank sum of a is n1 (n + 1); compare distances from it.
    const double center = n1d * (n + 1);
    const double obs = std::fabs(static_cast<double>(w2) - center);
    double extreme = 0, all = 0;
    for (long s = 0; s <= total; ++s) {
      double c = count[n1][static_cast<size_t>(s)];
      if (c == 0) continue;
      all += c;
      if (std::fabs(static_cast<double>(s) - center) >= obs - 1e-9) extreme += c;
    }
    out.p = std::min(1.0, extreme / all);
    out.exact = true;
    return out;
  }

  double var = n1d * n2d / 12 * ((n + 1) - tie_term / (n * (n - 1)));
  if (var <= 0) return out;  // every value equal: no evidence of a difference
  double d = std::fabs(out.u - mu_u);
  double z = std::max(0.0, d - 0.5) / std::sqrt(var);
  boost::math::normal_distribution<double> normal;
  out.p = std::min(1.0, 2 * boost::math::cdf(boost::math::complement(normal, z)));
  return out;
}

double mann_whitney_min_p(size_t n1, size_t n2) {
  if (n1 == 0 || n2 == 0) return 1;
  // 2 / C(n1 + n2, n1)
  double c = 1;
  for (size_t i = 1; i <= n1; ++i) c = c * static_cast<double>(n2 + i) / static_cast<double>(i);
  return std::min(1.0, 2 / c);
}

}  // namespace allocscope::stats
