// The metric registry: every metric allocscope reports has one name, one
// unit, a class that decides how it is compared, and a direction.
#pragma once

#include <string>
#include <vector>

namespace allocscope {

enum class MetricClass { Time, Throughput, Count, Memory, Ratio, Info };
enum class Direction { LowerIsBetter, HigherIsBetter, None };

struct MetricDef {
  std::string name;
  std::string unit;
  MetricClass cls;
  Direction direction;
  std::string doc;
};

const std::vector<MetricDef>& metric_defs();
// A built-in or declared metric; nullptr when unknown.
const MetricDef* find_metric(const std::string& name);
// Declares a metric of this run (a run's `--metric-from-output`, or the
// context.declared_metrics of a results file read back); a second
// declaration of the same name is ignored.
void declare_metric(const MetricDef& def);
std::vector<MetricDef> declared_metrics();
std::string to_string(MetricClass c);
std::string to_string(Direction d);

}  // namespace allocscope
