#include <fmt/format.h>

#include <cmath>

#include "exports.hpp"
#include "results/metrics.hpp"
#include "run_groups.hpp"

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
  json j = v;
  return j.dump();  // shortest round-trip form, the same as in results.json
}
}  // namespace

ExportFiles CsvExport::render(const json& doc, const ExportOptions&) {
  std::string out = "allocator,workload,params,threads,round,warmup,status,metric,value,unit\n";
  for (const auto& r : doc["runs"]) {
    std::string params;
    if (r.contains("params") && r["params"].is_object())
      for (const auto& [k, v] : r["params"].items())
        params += (params.empty() ? "" : ";") + k + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
    std::string prefix =
        fmt::format("{},{},{},{},{},{},{}", csv_field(r.value("allocator", "")), csv_field(r.value("workload", "")),
                    csv_field(params), r.value("threads", 1), r.value("round", 0),
                    r.value("warmup", false) ? "true" : "false", csv_field(r.value("status", "")));
    for (const auto& [name, v] : flat_metrics(r)) {
      const MetricDef* d = find_metric(name.substr(0, name.find('.')));
      out += fmt::format("{},{},{},{}\n", prefix, csv_field(name), number(v), d ? d->unit : "");
    }
  }
  return {{"", out}};
}

}  // namespace allocscope
