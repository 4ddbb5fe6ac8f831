// Metrics a program prints: `--metric-from-output NAME=REGEX[,unit=U][,higher|lower]`
// turns the number REGEX captures in a job's output (its first group, or the
// whole match; the last match in stdout, else in stderr) into the metric NAME
// of that job. A regex that matches nothing is a job error, never a zero.
#pragma once

#include <regex>
#include <string>
#include <vector>

#include "harness/results/metrics.hpp"

namespace allocscope {

struct OutputMetric {
  std::string name;
  std::string pattern;
  std::regex re;
  std::string unit;                                 // "" when not declared
  Direction direction = Direction::HigherIsBetter;  // "higher" unless "lower" is given
};

// Parses one option value; throws InputError (naming the option) on bad input:
// a missing '=', a bad name, a name of a built-in metric, a regex that does not compile.
OutputMetric parse_output_metric(const std::string& text);

// The metric's value in the output; false with *why when it is not there.
bool extract_output_metric(const OutputMetric& m, const std::string& out, const std::string& err, double* value,
                           std::string* why);

// The registry entry of a declared metric (class Info when it has no direction).
MetricDef output_metric_def(const OutputMetric& m);

}  // namespace allocscope
