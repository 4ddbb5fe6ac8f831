#include "harness/report/precision_summary.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace allocscope {

namespace {

std::string why_stopped(const std::string& stopped) {
  if (stopped == "reached") return "every comparison reached it";
  if (stopped == "max-time") return "one more round would have overrun --max-time";
  if (stopped == "max-rounds") return "a comparison ran --max-rounds rounds without reaching it";
  if (stopped == "interrupted") return "interrupted";
  return stopped.empty() ? "still running" : stopped;
}

}  // namespace

std::string precision_summary(const json& context) {
  if (!context.is_object() || !context.contains("precision")) return "";
  const json& p = context["precision"];
  const double target = p.value("target", 0.0) * 100;
  std::string out = fmt::format(
      "precision: target ±{:g}% for the {:g}% interval of the paired median ratio to {} (stopped after {:.0f} s: "
      "{})\n",
      target, p.value("confidence", 0.95) * 100, p.value("baseline", std::string("?")), p.value("elapsed_s", 0.0),
      why_stopped(p.value("stopped", std::string())));
  const json comps = p.value("comparisons", json::array());
  size_t width = 4, reached = 0;
  for (const auto& c : comps) width = std::max(width, c.value("label", std::string()).size());
  for (const auto& c : comps) {
    const bool ok = c.value("reached", false);
    reached += ok;
    std::string interval = "no interval yet", half = "";
    if (c.contains("lo"))
      interval = fmt::format("[{:.3f}, {:.3f}]", c["lo"].get<double>(), c["hi"].get<double>()),
      half = fmt::format("±{:.1f}%", c["half_width"].get<double>() * 100);
    std::string shape;
    if (c.value("two_modes", false)) shape += ", TWO MODES: one ratio misleads";
    if (const int n = c.value("outlier_rounds", 0); n > 0)
      shape += fmt::format(", {} outlying round{}", n, n > 1 ? "s" : "");
    out += fmt::format("  {:<{}}  {:<10} {:>7.3f}x {:<18} {:>7} {:>3} rounds  {}  ({}{})\n",
                       c.value("label", std::string()), width, c.value("candidate", std::string()),
                       c.value("ratio", 0.0), interval, half, c.value("rounds", 0), ok ? "reached" : "NOT REACHED",
                       c.value("metric", std::string()), shape);
  }
  out += fmt::format("  {} of {} comparisons within ±{:g}%\n", reached, comps.size(), target);
  return out;
}

}  // namespace allocscope
