// Number formatting shared by the text, Markdown and HTML outputs.
#pragma once

#include <string>

#include "harness/stats/verdict.hpp"

namespace allocscope {

// A value in its unit, human-scaled: bytes as KiB/MiB, rates as k/M/G per
// second, seconds as ms/us, ratios with three decimals, counts as integers.
std::string format_value(double v, const std::string& unit);
// A ratio as a signed percentage change: 1.123 -> "+12.3%".
std::string format_change(double ratio);
// "[-1.2%, +3.4%]", or "" when the interval is NaN.
std::string format_ci(double lo, double hi);
// p-value: "0.008", "<0.001", or "-" when NaN.
std::string format_p(double p);

// The estimate of a compared metric; for time and throughput (best round)
// followed by the median of the rounds: "1.23 ms (median 1.31 ms)".
std::string with_median(const stats::MetricComparison& m, double estimate, double median);

// The shape flag of a compared row: "TWO MODES in the candidate: 3 rounds
// near 5.10 M/s, 3 near 111.0 M/s", "2 outlying rounds in the baseline", or
// "" when neither side is flagged.
std::string shape_flag(const stats::MetricComparison& m);
// The same for one side's rounds alone (e.g. the reference of a report).
std::string shape_flag(const stats::RoundShape& s, const std::string& unit);

}  // namespace allocscope
