#include "harness/results/history_changes.hpp"

#include "harness/results/metrics.hpp"
#include "harness/stats/estimators.hpp"

namespace allocscope {

namespace {

std::string direction_of(const std::string& metric, double ratio) {
  // syscalls.mmap and the like take the direction of their parent metric
  const MetricDef* def = find_metric(metric.substr(0, metric.find('.')));
  if (!def || def->direction == Direction::None) return "change";
  const bool worse = def->direction == Direction::HigherIsBetter ? ratio < 1 : ratio > 1;
  return worse ? "regression" : "improvement";
}

}  // namespace

double point_value(const SeriesPoint& p) {
  return stats::median(p.values);
}

std::vector<SeriesChange> find_changes(const std::vector<Series>& series, const stats::ChangePointOptions& opt) {
  std::vector<SeriesChange> out;
  for (const auto& s : series) {
    std::vector<double> values;
    for (const auto& p : s.points) values.push_back(point_value(p));
    for (const auto& cp : stats::change_points(values, opt)) {
      const SeriesPoint& first = s.points[cp.index];
      out.push_back({s.key, s.metric, first.label, first.git_revision, direction_of(s.metric, cp.ratio), cp.ratio, cp.p,
                     cp.before, cp.after, cp.index, s.points.size()});
    }
  }
  return out;
}

json to_json(const SeriesChange& c) {
  return json{{"allocator", c.key.allocator},
              {"workload", c.key.workload},
              {"metric", c.metric},
              {"label", c.label},
              {"direction", c.direction},
              {"ratio", c.ratio},
              {"params", json::parse(c.key.params)},
              {"threads", c.key.threads},
              {"host", c.key.host},
              {"git_revision", c.git_revision},
              {"p", c.p},
              {"mean_before", c.before},
              {"mean_after", c.after},
              {"index", c.index},
              {"runs", c.runs}};
}

}  // namespace allocscope
