#include "harness/stats/bootstrap.hpp"

#include <random>

namespace allocscope::stats {

namespace {

// Unbiased index in [0, n) from a 64-bit generator (rejection sampling).
size_t draw_index(std::mt19937_64& rng, size_t n) {
  const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t x;
  do x = rng();
  while (x >= limit);
  return static_cast<size_t>(x % n);
}

void resample(std::mt19937_64& rng, const std::vector<double>& from, std::vector<double>& to) {
  to.resize(from.size());
  for (auto& x : to) x = from[draw_index(rng, from.size())];
}

}  // namespace

Interval bootstrap_ratio_ci(const std::vector<double>& baseline, const std::vector<double>& candidate, Estimator est,
                            const BootstrapOptions& opt) {
  if (baseline.empty() || candidate.empty()) return {};
  std::mt19937_64 rng(opt.seed);
  std::vector<double> ratios, b, c;
  ratios.reserve(static_cast<size_t>(opt.resamples));
  for (int i = 0; i < opt.resamples; ++i) {
    resample(rng, baseline, b);
    resample(rng, candidate, c);
    double eb = estimate(est, b);
    if (eb == 0) continue;
    ratios.push_back(estimate(est, c) / eb);
  }
  if (ratios.empty()) return {};
  double tail = (1 - opt.confidence) / 2;
  return {quantile(ratios, tail), quantile(ratios, 1 - tail)};
}

Interval bootstrap_ratio_ci_paired(const std::vector<double>& baseline, const std::vector<double>& candidate,
                                   Estimator est, const BootstrapOptions& opt) {
  if (baseline.empty() || baseline.size() != candidate.size()) return bootstrap_ratio_ci(baseline, candidate, est, opt);
  std::mt19937_64 rng(opt.seed);
  const size_t n = baseline.size();
  std::vector<double> ratios, b(n), c(n);
  ratios.reserve(static_cast<size_t>(opt.resamples));
  for (int i = 0; i < opt.resamples; ++i) {
    for (size_t k = 0; k < n; ++k) {
      size_t j = draw_index(rng, n);
      b[k] = baseline[j];
      c[k] = candidate[j];
    }
    double eb = estimate(est, b);
    if (eb == 0) continue;
    ratios.push_back(estimate(est, c) / eb);
  }
  if (ratios.empty()) return {};
  double tail = (1 - opt.confidence) / 2;
  return {quantile(ratios, tail), quantile(ratios, 1 - tail)};
}

}  // namespace allocscope::stats
