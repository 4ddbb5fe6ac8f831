// Shape checks on the rounds of one job: two clusters of values (a job whose
// rounds land in one of two modes, such as two threads that did or did not
// run at the same time on two shared cores) and single outlying rounds. A
// row with either is flagged instead of being summarised by one ratio.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace allocscope::stats {

struct ModeSplit {
  bool multimodal = false;
  double low_center = 0, high_center = 0;  // medians of the two clusters
  size_t low_count = 0, high_count = 0;
  double separation = 0;  // gap between the clusters / the larger within-cluster spread
};

struct ModeOptions {
  double min_share = 0.15;      // each cluster holds at least this share of the rounds
  size_t min_count = 2;         // ... and at least this many rounds
  double min_ratio = 1.25;      // high center / low center
  double min_separation = 3.0;  // gap / within-cluster spread (log scale)
};

// Splits the positive values in two at the gap that best separates them (on a
// log scale) and reports whether the split is a real second mode.
ModeSplit detect_modes(const std::vector<double>& values, const ModeOptions& opt = {});

// Indices of outlying values: modified z-score above `threshold` on a log
// scale, using the median absolute deviation (robust to the outliers
// themselves), and at least `min_relative` away from the median (rounds that
// agree to 0.1% are not made outliers by a MAD of almost nothing). Fewer
// than 5 values never have outliers.
std::vector<size_t> outliers(const std::vector<double>& values, double threshold = 3.5, double min_relative = 0.05);

// The shape of one job's rounds, as the table, compare and the report flag
// it (time and throughput metrics: memory has its own absolute floor).
struct RoundShape {
  ModeSplit modes;
  size_t outliers = 0;  // outlying rounds (counted only when there are no two modes)
  bool two_modes() const { return modes.multimodal; }
  bool flagged() const { return two_modes() || outliers > 0; }
};
RoundShape round_shape(const std::vector<double>& values);

// "two modes: N rounds near A, M near B", "N outlying round(s)" or "";
// `value` writes a cluster center in the metric's unit.
std::string describe(const RoundShape& s, const std::function<std::string(double)>& value);

}  // namespace allocscope::stats
