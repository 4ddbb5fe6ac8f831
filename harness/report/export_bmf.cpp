#include "harness/report/exports.hpp"
#include "harness/report/run_groups.hpp"
#include "harness/results/metrics.hpp"
#include "harness/results/record_json.hpp"
#include "harness/stats/comparison.hpp"

namespace allocscope {

namespace {

// Bencher Metric Format: {"ALLOC/workload/params/threads:N": {"metric":
// {"value", "lower_value", "upper_value"}}}; value is the comparison
// estimate (min for time, max for throughput, median otherwise), the bounds
// the min and max over rounds.
class BmfExport : public Exporter {
 public:
  ExportFiles render(const Results& doc, const ExportOptions& opt) const override;
};

}  // namespace

ExportFiles BmfExport::render(const Results& doc, const ExportOptions& opt) const {
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

std::unique_ptr<Exporter> make_bmf_exporter() {
  return std::make_unique<BmfExport>();
}

}  // namespace allocscope
