// Exports of a results document to other tools' formats, one class per
// format. Each render() returns the files to write: name (relative to the
// --out path, "" = the path itself) -> content. Output depends only on the
// document, so it can be compared against committed golden files.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "results/results_io.hpp"

namespace allocscope {

using ExportFiles = std::map<std::string, std::string>;

struct ExportOptions {
  std::vector<std::string> metrics;  // for bmf and gab; empty = the compare defaults
};

// Google Benchmark JSON, one file per allocator (ALLOC.json), one
// "iteration" row per round: readable by Google Benchmark's tools/compare.py.
// iterations = ops of the timed window, real_time = window time per op (ns),
// cpu_time = process CPU time (user + system) per op; every numeric metric is
// also a counter field.
class GbenchExport {
 public:
  static ExportFiles render(const json& doc, const ExportOptions& opt);
};

// CSV: one row per run and metric (nested metrics flattened as a.b).
class CsvExport {
 public:
  static ExportFiles render(const json& doc, const ExportOptions& opt);
};

// Bencher Metric Format: {"ALLOC/workload/params/threads:N": {"metric":
// {"value", "lower_value", "upper_value"}}}; value is the comparison
// estimate (min for time, max for throughput, median otherwise), the bounds
// the min and max over rounds.
class BmfExport {
 public:
  static ExportFiles render(const json& doc, const ExportOptions& opt);
};

// github-action-benchmark "customBiggerIsBetter" / "customSmallerIsBetter"
// JSON: [{name, unit, value, range, extra}], two files.
class GabExport {
 public:
  static ExportFiles render(const json& doc, const ExportOptions& opt);
};

}  // namespace allocscope
