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
const MetricDef* find_metric(const std::string& name);
std::string to_string(MetricClass c);
std::string to_string(Direction d);

}  // namespace allocscope
