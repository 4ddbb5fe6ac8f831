#include "harness/stats/change_points.hpp"

#include <algorithm>
#include <cmath>
#include <random>

namespace allocscope::stats {

namespace {

struct Split {
  size_t tau = 0;  // first index of the right part; 0 = no split possible
  double q = 0;    // energy statistic of the split
};

// The best split of x by the energy statistic
//   Q = m k / n * (2 E|L - R| - E|L - L'| - E|R - R'|)
// over every position leaving min_seg points on each side. The sums of
// distances are updated as the split moves right: O(n^2) for all positions.
Split best_split(const std::vector<double>& x, size_t min_seg) {
  const size_t n = x.size();
  Split best;
  if (n < 2 * min_seg) return best;
  auto d = [&](size_t i, size_t j) { return std::fabs(x[i] - x[j]); };
  size_t tau = min_seg;
  double within_l = 0, within_r = 0, between = 0;
  for (size_t i = 0; i < n; ++i)
    for (size_t j = i + 1; j < n; ++j) (j < tau ? within_l : i >= tau ? within_r : between) += d(i, j);
  for (;; ++tau) {
    const double m = static_cast<double>(tau), k = static_cast<double>(n - tau);
    const double q =
        m * k / (m + k) * (2 * between / (m * k) - within_l / (m * (m - 1) / 2) - within_r / (k * (k - 1) / 2));
    if (best.tau == 0 || q > best.q) best = {tau, q};
    if (tau + 1 > n - min_seg) break;
    double to_left = 0, to_right = 0;  // point tau moves from the right part to the left
    for (size_t i = 0; i < tau; ++i) to_left += d(i, tau);
    for (size_t j = tau + 1; j < n; ++j) to_right += d(tau, j);
    within_l += to_left;
    within_r -= to_right;
    between += to_right - to_left;
  }
  return best;
}

// Permutation p-value of the best split of x: the share of random orders of
// the same values whose best split is at least as strong. Stops early once
// the p-value cannot fall below alpha.
double permutation_p(const std::vector<double>& x, double observed, const ChangePointOptions& opt, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<double> y = x;
  const double limit = opt.alpha * (opt.permutations + 1);
  int at_least = 0, done = 0;
  for (; done < opt.permutations; ++done) {
    std::shuffle(y.begin(), y.end(), rng);
    if (best_split(y, opt.min_segment).q >= observed * (1 - 1e-12)) ++at_least;
    if (at_least + 1 > limit) return static_cast<double>(at_least + 1) / (done + 2);
  }
  return static_cast<double>(at_least + 1) / (opt.permutations + 1);
}

double mean_of(const std::vector<double>& v, size_t begin, size_t end) {
  double s = 0;
  for (size_t i = begin; i < end; ++i) s += v[i];
  return s / static_cast<double>(end - begin);
}

// Fills before/after/ratio from the segments around each change.
void measure(const std::vector<double>& series, std::vector<ChangePoint>& cps) {
  for (size_t c = 0; c < cps.size(); ++c) {
    size_t begin = c == 0 ? 0 : cps[c - 1].index, end = c + 1 < cps.size() ? cps[c + 1].index : series.size();
    cps[c].before = mean_of(series, begin, cps[c].index);
    cps[c].after = mean_of(series, cps[c].index, end);
    cps[c].ratio = cps[c].before > 0 ? cps[c].after / cps[c].before : 1;
  }
}

}  // namespace

std::vector<ChangePoint> change_points(const std::vector<double>& series, const ChangePointOptions& opt) {
  std::vector<double> logs;
  for (double v : series) logs.push_back(std::log(std::max(v, 1e-300)));
  std::vector<ChangePoint> found;
  std::vector<std::pair<size_t, size_t>> todo{{0, series.size()}};
  while (!todo.empty()) {
    auto [begin, end] = todo.back();
    todo.pop_back();
    std::vector<double> seg(logs.begin() + static_cast<long>(begin), logs.begin() + static_cast<long>(end));
    Split s = best_split(seg, std::max<size_t>(opt.min_segment, 2));
    if (s.tau == 0 || !(s.q > 0)) continue;
    double p = permutation_p(seg, s.q, opt, opt.seed ^ (begin * 0x9e3779b97f4a7c15ULL) ^ end);
    if (p > opt.alpha) continue;
    found.push_back({begin + s.tau, 1, p, 0, 0});
    todo.push_back({begin, begin + s.tau});
    todo.push_back({begin + s.tau, end});
  }
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.index < b.index; });
  // Drop changes too small to matter, the smallest first: the segments of
  // its neighbours then merge and their ratios are measured again.
  for (;;) {
    measure(series, found);
    auto smallest = std::min_element(found.begin(), found.end(), [](const auto& a, const auto& b) {
      return std::fabs(std::log(a.ratio)) < std::fabs(std::log(b.ratio));
    });
    if (smallest == found.end() || std::fabs(smallest->ratio - 1) >= opt.min_change) break;
    found.erase(smallest);
  }
  return found;
}

}  // namespace allocscope::stats
