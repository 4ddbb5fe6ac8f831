#include "harness/results/run_record.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "harness/results/metrics.hpp"

namespace allocscope {

MetricValue& Metrics::slot(const std::string& name) {
  for (auto& [n, v] : items_)
    if (n == name) return v;
  return items_.emplace_back(name, MetricValue{}).second;
}

void Metrics::set(const std::string& name, Number v) {
  if (!find_metric(name))
    throw std::logic_error("metric '" + name +
                           "' is not declared in the metric registry (harness/results/metrics.cpp)");
  MetricValue& m = slot(name);
  m = MetricValue{MetricValue::Kind::Number, v, {}};
}

void Metrics::set_breakdown(const std::string& name, std::vector<std::pair<std::string, Number>> parts) {
  if (!find_metric(name))
    throw std::logic_error("metric '" + name +
                           "' is not declared in the metric registry (harness/results/metrics.cpp)");
  MetricValue& m = slot(name);
  m = MetricValue{MetricValue::Kind::Breakdown, {}, std::move(parts)};
}

void Metrics::set_foreign(const std::string& name, MetricValue v) {
  slot(name) = std::move(v);
}

void Metrics::merge(const Metrics& other) {
  for (const auto& [n, v] : other.items_) slot(n) = v;
}

const MetricValue* Metrics::find(const std::string& name) const {
  for (const auto& [n, v] : items_)
    if (n == name) return &v;
  return nullptr;
}

std::optional<double> Metrics::number(const std::string& name) const {
  const MetricValue* v = find(name);
  if (!v || !v->is_number()) return std::nullopt;
  return v->number.value;
}

std::vector<std::pair<std::string, double>> Metrics::flat() const {
  std::vector<std::pair<std::string, double>> out;
  for (const auto& [n, v] : items_) {
    if (v.kind == MetricValue::Kind::Number) out.emplace_back(n, v.number.value);
    if (v.kind == MetricValue::Kind::Breakdown)
      for (const auto& [part, num] : v.parts) out.emplace_back(n + "." + part, num.value);
  }
  return out;
}

std::string JobIdentity::cell_key(bool with_allocator) const {
  std::string k = with_allocator ? allocator + "|" : "";
  k += workload;
  for (const auto& [n, v] : params) k += "|" + n + "=" + v;
  for (const auto& a : command) k += "|" + a;
  return k + "|t" + std::to_string(threads);
}

std::string JobIdentity::bench_name() const {
  std::string s = workload;
  if (!params.empty()) {
    s += "/";
    bool first = true;
    for (const auto& [k, v] : params) s += (first ? "" : ",") + k + "=" + v, first = false;
  }
  return s + fmt::format("/threads:{}", threads);
}

std::vector<std::string> allocators_of(const std::vector<RunRecord>& runs) {
  std::vector<std::string> out;
  for (const auto& r : runs)
    if (std::find(out.begin(), out.end(), r.job.allocator) == out.end()) out.push_back(r.job.allocator);
  return out;
}

}  // namespace allocscope
