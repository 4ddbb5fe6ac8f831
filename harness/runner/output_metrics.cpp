#include "harness/runner/output_metrics.hpp"

#include <cstdlib>

#include "common/input_error.hpp"

namespace allocscope {

namespace {

bool valid_name(const std::string& n) {
  if (n.empty() || !(std::islower(static_cast<unsigned char>(n[0])) || n[0] == '_')) return false;
  for (char ch : n)
    if (!(std::islower(static_cast<unsigned char>(ch)) || std::isdigit(static_cast<unsigned char>(ch)) || ch == '_'))
      return false;
  return true;
}

// Strips the trailing ",unit=U", ",higher", ",lower" options off the pattern.
void take_options(std::string& pattern, OutputMetric& m, const std::string& text) {
  for (;;) {
    const size_t comma = pattern.rfind(',');
    if (comma == std::string::npos) return;
    const std::string opt = pattern.substr(comma + 1);
    if (opt == "higher")
      m.direction = Direction::HigherIsBetter;
    else if (opt == "lower")
      m.direction = Direction::LowerIsBetter;
    else if (opt.rfind("unit=", 0) == 0 && opt.size() > 5)
      m.unit = opt.substr(5);
    else
      return;  // part of the regex
    pattern.erase(comma);
    if (pattern.empty()) throw InputError("--metric-from-output '" + text + "': empty REGEX");
  }
}

// The number in the last match of `re` in `text`; false when there is none.
bool last_number(const std::regex& re, const std::string& text, std::string* found) {
  bool any = false;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator(); ++it) {
    const std::smatch& m = *it;
    *found = m.size() > 1 && m[1].matched ? m[1].str() : m[0].str();
    any = true;
  }
  return any;
}

}  // namespace

OutputMetric parse_output_metric(const std::string& text) {
  OutputMetric m;
  const size_t eq = text.find('=');
  if (eq == std::string::npos)
    throw InputError("--metric-from-output '" + text + "': expected NAME=REGEX[,unit=U][,higher|lower]");
  m.name = text.substr(0, eq);
  if (!valid_name(m.name))
    throw InputError("--metric-from-output '" + text + "': NAME must be lower-case letters, digits and '_'");
  if (find_metric(m.name))
    throw InputError("--metric-from-output '" + text + "': '" + m.name + "' is a built-in metric; choose another name");
  m.pattern = text.substr(eq + 1);
  if (m.pattern.empty()) throw InputError("--metric-from-output '" + text + "': empty REGEX");
  take_options(m.pattern, m, text);
  try {
    m.re = std::regex(m.pattern, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    throw InputError("--metric-from-output '" + text + "': the regex does not compile: " + e.what());
  }
  return m;
}

bool extract_output_metric(const OutputMetric& m, const std::string& out, const std::string& err, double* value,
                           std::string* why) {
  std::string found;
  if (!last_number(m.re, out, &found) && !last_number(m.re, err, &found)) {
    *why = "--metric-from-output " + m.name + ": /" + m.pattern + "/ matched nothing in the program's output";
    return false;
  }
  char* end = nullptr;
  *value = std::strtod(found.c_str(), &end);
  if (found.empty() || end == found.c_str() || *end != '\0') {
    *why = "--metric-from-output " + m.name + ": /" + m.pattern + "/ matched '" + found + "', not a number";
    return false;
  }
  return true;
}

MetricDef output_metric_def(const OutputMetric& m) {
  return {m.name, m.unit, MetricClass::Throughput, m.direction, "from the program's output: /" + m.pattern + "/"};
}

}  // namespace allocscope
