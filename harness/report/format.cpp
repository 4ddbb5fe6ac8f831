#include "harness/report/format.hpp"

#include <fmt/format.h>

#include <cmath>

namespace allocscope {

std::string format_value(double v, const std::string& unit) {
  if (!std::isfinite(v)) return "-";
  double a = std::fabs(v);
  if (unit == "B") {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (a >= 1024 && u < 4) a /= 1024, v /= 1024, ++u;
    return u ? fmt::format("{:.2f} {}", v, units[u]) : fmt::format("{:.0f} B", v);
  }
  if (unit == "ops/s") {
    if (a >= 1e9) return fmt::format("{:.3f} G/s", v / 1e9);
    if (a >= 1e6) return fmt::format("{:.3f} M/s", v / 1e6);
    if (a >= 1e3) return fmt::format("{:.2f} k/s", v / 1e3);
    return fmt::format("{:.1f} /s", v);
  }
  if (unit == "s") {
    if (a == 0) return "0 s";
    if (a < 1e-3) return fmt::format("{:.1f} us", v * 1e6);
    if (a < 1) return fmt::format("{:.2f} ms", v * 1e3);
    return fmt::format("{:.3f} s", v);
  }
  if (unit == "x") return fmt::format("{:.3f}x", v);
  if (unit == "ns") return fmt::format("{:.0f} ns", v);
  if (v == std::floor(v) && a < 1e15) return fmt::format("{:.0f}", v);
  return fmt::format("{:.4g}", v);
}

std::string format_change(double ratio) {
  if (std::isnan(ratio)) return "-";
  if (std::isinf(ratio)) return "+inf";
  double pct = (ratio - 1) * 100;
  if (std::fabs(pct) < 0.05) return "0.0%";
  return fmt::format("{:+.1f}%", pct);
}

std::string format_ci(double lo, double hi) {
  if (std::isnan(lo) || std::isnan(hi)) return "";
  return fmt::format("[{}, {}]", format_change(lo), format_change(hi));
}

std::string format_p(double p) {
  if (std::isnan(p)) return "-";
  if (p < 0.001) return "<0.001";
  return fmt::format("{:.3f}", p);
}

std::string with_median(const stats::MetricComparison& m, double estimate, double median) {
  std::string s = format_value(estimate, m.unit);
  if ((m.cls == MetricClass::Time || m.cls == MetricClass::Throughput) && std::isfinite(median) && median != estimate)
    s += " (median " + format_value(median, m.unit) + ")";
  return s;
}

std::string shape_flag(const stats::RoundShape& s, const std::string& unit) {
  std::string text = stats::describe(s, [&](double v) { return format_value(v, unit); });
  if (s.two_modes()) text.replace(0, 9, "TWO MODES");  // "two modes" -> "TWO MODES"
  return text;
}

std::string shape_flag(const stats::MetricComparison& m) {
  std::string out;
  for (auto [shape, side] : {std::pair{&m.base_shape, "baseline"}, std::pair{&m.cand_shape, "candidate"}}) {
    if (!shape->flagged()) continue;
    std::string what = shape_flag(*shape, m.unit);
    auto colon = what.find(':');
    // "TWO MODES in the baseline: ...", "2 outlying rounds in the candidate"
    what = colon == std::string::npos ? what + " in the " + side
                                      : what.substr(0, colon) + " in the " + side + what.substr(colon);
    out += (out.empty() ? "" : "; ") + what;
  }
  return out;
}

}  // namespace allocscope
