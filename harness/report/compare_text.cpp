#include "harness/report/compare_text.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "harness/report/format.hpp"

namespace allocscope {

using stats::Verdict;

std::string CompareText::render(const stats::Comparison& c, bool all_rows) {
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"job", "metric", "baseline", "candidate", "change", "95% CI", "p", "verdict"});
  std::vector<std::string> flags;  // the flagged rows, spelled out below the table
  for (const auto& j : c.jobs)
    for (const auto& m : j.metrics) {
      if (!all_rows && m.verdict == Verdict::Unchanged && !m.flagged()) continue;
      std::string verdict = stats::to_string(m.verdict);
      if (m.policy.exact) verdict += " (exact)";
      if (m.paired_median) verdict += " (paired)";
      if (m.flagged()) {
        flags.push_back(fmt::format("[{}] {} {}: {}", flags.size() + 1, j.name(), m.metric, shape_flag(m)));
        verdict += fmt::format(" [{}]", flags.size());
      }
      rows.push_back({j.name(), m.metric, with_median(m, m.base, m.base_median), with_median(m, m.cand, m.cand_median),
                      format_change(m.ratio), format_ci(m.ci.lo, m.ci.hi), format_p(m.p), verdict});
    }
  std::vector<size_t> width(rows[0].size(), 0);
  for (const auto& r : rows)
    for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  std::string out = fmt::format("baseline: {}\ncandidate: {}\n\n", c.base_name, c.cand_name);
  for (size_t k = 0; k < rows.size(); ++k) {
    std::string line;
    for (size_t i = 0; i < rows[k].size(); ++i) {
      bool right = i >= 2 && i <= 6;
      line += right ? fmt::format("{:>{}}", rows[k][i], width[i]) : fmt::format("{:<{}}", rows[k][i], width[i]);
      if (i + 1 < rows[k].size()) line += "  ";
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  if (!flags.empty()) {
    out += "\nflagged rows (the rounds do not cluster around one value; one ratio misleads):\n";
    for (const auto& f : flags) out += "  " + f + "\n";
  }
  out += "\ngeomean of candidate/baseline over jobs:";
  for (const auto& m : c.metrics) out += fmt::format(" {} {}", m, format_change(c.geomean.at(m)));
  out += fmt::format("\n{} regressed, {} improved, {} unchanged, {} inconclusive\n", c.count(Verdict::Regressed),
                     c.count(Verdict::Improved), c.count(Verdict::Unchanged), c.count(Verdict::Inconclusive));
  if (!c.only_in_base.empty()) out += fmt::format("{} job(s) only in the baseline\n", c.only_in_base.size());
  if (!c.only_in_cand.empty()) out += fmt::format("{} job(s) only in the candidate\n", c.only_in_cand.size());
  return out;
}

}  // namespace allocscope
