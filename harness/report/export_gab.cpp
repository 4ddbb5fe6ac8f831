#include <fmt/format.h>

#include "harness/report/exports.hpp"
#include "harness/report/format.hpp"
#include "harness/report/run_groups.hpp"
#include "harness/results/metrics.hpp"
#include "harness/results/record_json.hpp"
#include "harness/stats/comparison.hpp"

namespace allocscope {

namespace {

// github-action-benchmark "customBiggerIsBetter" / "customSmallerIsBetter"
// JSON: [{name, unit, value, range, extra}], two files.
class GabExport : public Exporter {
 public:
  ExportFiles render(const Results& doc, const ExportOptions& opt) const override;
};

}  // namespace

ExportFiles GabExport::render(const Results& doc, const ExportOptions& opt) const {
  const auto& metrics = opt.metrics.empty() ? stats::default_compare_metrics() : opt.metrics;
  json bigger = json::array(), smaller = json::array();
  for (const auto& g : group_by_job(doc)) {
    for (const auto& name : metrics) {
      const MetricDef* def = find_metric(name);
      if (!def || def->direction == Direction::None) continue;
      auto v = stats::metric_samples(g.runs, name);
      if (v.empty()) continue;
      auto pol = stats::policy_for(*def, g.threads);
      double lo = stats::minimum(v), hi = stats::maximum(v);
      json e;
      e["name"] = fmt::format("{}/{} {}", g.allocator, g.name, name);
      e["unit"] = def->unit;
      e["value"] = stats::estimate(pol.estimator, v);
      e["range"] = fmt::format("± {:.4g}", (hi - lo) / 2);
      e["extra"] = fmt::format("{} of {} rounds; median {}, min {}, max {}", stats::to_string(pol.estimator), v.size(),
                               format_value(stats::median(v), def->unit), format_value(lo, def->unit),
                               format_value(hi, def->unit));
      (def->direction == Direction::HigherIsBetter ? bigger : smaller).push_back(e);
    }
  }
  return {{"bigger-is-better.json", bigger.dump(2) + "\n"}, {"smaller-is-better.json", smaller.dump(2) + "\n"}};
}

std::unique_ptr<Exporter> make_gab_exporter() {
  return std::make_unique<GabExport>();
}

}  // namespace allocscope
