// RSS creep: the slope of a least-squares line through RSS samples taken at
// intervals, after a warm-up share of the window. Used by steady-state; kept
// apart so the fit can be tested on synthetic series.
#pragma once

#include <cstddef>

namespace allocscope::synthetic {

// Least-squares slope of y over x for points [from, n); 0 with fewer than two
// points or when every x is the same.
inline double least_squares_slope(const double* x, const double* y, size_t from, size_t n) {
  if (n < from + 2) return 0;
  const double m = static_cast<double>(n - from);
  double sx = 0, sy = 0;
  for (size_t i = from; i < n; ++i) sx += x[i], sy += y[i];
  const double mx = sx / m, my = sy / m;
  double sxy = 0, sxx = 0;
  for (size_t i = from; i < n; ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
  }
  return sxx > 0 ? sxy / sxx : 0;
}

struct Creep {
  double bytes_per_min = 0;
  size_t samples = 0;  // samples the line was fitted through
};

// Samples (t in seconds, ascending; rss in bytes): the slope in bytes per
// minute over the samples at or after warmup x the last sample's time.
inline Creep rss_creep(const double* t_s, const double* rss, size_t n, double warmup) {
  if (n == 0) return {};
  const double from_t = warmup * t_s[n - 1];
  size_t from = 0;
  while (from < n && t_s[from] < from_t) ++from;
  return {least_squares_slope(t_s, rss, from, n) * 60.0, n - from};
}

}  // namespace allocscope::synthetic
