#include "exports.hpp"
#include "run_groups.hpp"
#include "stats/comparison.hpp"

namespace allocscope {

ExportFiles BmfExport::render(const json& doc, const ExportOptions& opt) {
  const auto& metrics = opt.metrics.empty() ? stats::default_compare_metrics() : opt.metrics;
  json out = json::object();
  for (const auto& g : group_by_job(doc)) {
    json bench = json::object();
    for (const auto& name : metrics) {
      const MetricDef* def = find_metric(name);
      if (!def) continue;
      auto v = stats::metric_samples(g.runs, name);
      if (v.empty()) continue;
      auto pol = stats::policy_for(*def, g.threads);
      bench[name] = {{"value", stats::estimate(pol.estimator, v)},
                     {"lower_value", stats::minimum(v)},
                     {"upper_value", stats::maximum(v)}};
    }
    if (!bench.empty()) out[g.allocator + "/" + g.name] = bench;
  }
  return {{"", out.dump(2) + "\n"}};
}

}  // namespace allocscope
