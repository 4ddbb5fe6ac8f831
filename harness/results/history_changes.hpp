// Change points of the series stored in the history: each run of a series
// contributes the median of its rounds; the E-divisive test of
// stats/change_points finds where the series changed; the metric's declared
// direction names the change a regression or an improvement.
#pragma once

#include <string>
#include <vector>

#include "harness/results/history.hpp"
#include "harness/stats/change_points.hpp"

namespace allocscope {

struct SeriesChange {
  SeriesKey key;
  std::string metric;
  std::string label;         // the first run after the change
  std::string git_revision;  // of that run
  std::string direction;     // regression, improvement, or change (metric without a direction)
  double ratio = 1, p = 1, before = 0, after = 0;
  size_t index = 0, runs = 0;  // position of that run in the series, series length
};

// The per-run value of a series point: the median of its rounds.
double point_value(const SeriesPoint& p);

std::vector<SeriesChange> find_changes(const std::vector<Series>& series, const stats::ChangePointOptions& opt);

json to_json(const SeriesChange& c);

}  // namespace allocscope
