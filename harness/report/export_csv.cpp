#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "harness/report/exports.hpp"
#include "harness/report/run_groups.hpp"
#include "harness/results/metrics.hpp"

namespace allocscope {

namespace {
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}
std::string number(double v) {
  if (v == std::floor(v) && std::fabs(v) < 9e15) return fmt::format("{:.0f}", v);
  return nlohmann::json(v).dump();  // shortest round-trip form, the same as in results.json
}

// CSV: one row per run and metric (nested metrics flattened as a.b).
class CsvExport : public Exporter {
 public:
  ExportFiles render(const Results& doc, const ExportOptions& opt) const override;
};

}  // namespace

ExportFiles CsvExport::render(const Results& doc, const ExportOptions&) const {
  std::string out = "allocator,workload,params,threads,round,warmup,status,metric,value,unit\n";
  for (const auto& r : doc.runs) {
    std::string params;
    for (const auto& [k, v] : r.job.params) params += (params.empty() ? "" : ";") + k + "=" + v;
    std::string prefix =
        fmt::format("{},{},{},{},{},{},{}", csv_field(r.job.allocator), csv_field(r.job.workload), csv_field(params),
                    r.job.threads, r.job.round, r.job.warmup ? "true" : "false", csv_field(to_string(r.status)));
    for (const auto& [name, v] : r.metrics.flat()) {
      const MetricDef* d = find_metric(name.substr(0, name.find('.')));
      out += fmt::format("{},{},{},{}\n", prefix, csv_field(name), number(v), d ? d->unit : "");
    }
  }
  return {{"", out}};
}

std::unique_ptr<Exporter> make_csv_exporter() {
  return std::make_unique<CsvExport>();
}

}  // namespace allocscope
