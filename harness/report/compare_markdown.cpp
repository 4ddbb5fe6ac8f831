#include "harness/report/compare_markdown.hpp"

#include <fmt/format.h>

#include "harness/report/format.hpp"

namespace allocscope {

using stats::Verdict;

namespace {

std::string escape(std::string s) {
  std::string out;
  for (char ch : s) {
    if (ch == '|')
      out += "\\|";
    else if (ch == '<')
      out += "&lt;";
    else if (ch == '>')
      out += "&gt;";
    else
      out += ch;
  }
  return out;
}

const char* header =
    "| job | metric | baseline | candidate | change (95% CI) | p | verdict |\n"
    "|---|---|--:|--:|--:|--:|---|\n";

std::string row(const stats::JobComparison& j, const stats::MetricComparison& m) {
  std::string change = format_change(m.ratio);
  std::string ci = format_ci(m.ci.lo, m.ci.hi);
  if (!ci.empty()) change += " " + ci;
  std::string verdict = stats::to_string(m.verdict);
  if (m.verdict == Verdict::Regressed || m.verdict == Verdict::Improved) verdict = "**" + verdict + "**";
  if (m.policy.exact) verdict += " (exact)";
  if (m.paired_median) verdict += " (paired)";
  if (!m.note.empty()) verdict += " - " + m.note;
  if (m.flagged()) verdict += " - " + shape_flag(m);
  return fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", escape(j.name()), m.metric,
                     with_median(m, m.base, m.base_median), with_median(m, m.cand, m.cand_median), change,
                     format_p(m.p), escape(verdict));
}

}  // namespace

std::string CompareMarkdown::render(const stats::Comparison& c, const std::string& title) {
  std::string out = fmt::format("## {}\n\n", title);
  out += fmt::format("Baseline `{}`, candidate `{}`.\n\n", c.base_name, c.cand_name);
  size_t reg = c.count(Verdict::Regressed), imp = c.count(Verdict::Improved), unc = c.count(Verdict::Unchanged),
         inc = c.count(Verdict::Inconclusive);
  out += fmt::format("{} **{} regressed**, {} improved, {} unchanged, {} inconclusive ({} jobs)\n\n",
                     reg ? ":red_circle:" : ":green_circle:", reg, imp, unc, inc, c.jobs.size());
  out += "| metric | geomean change over jobs |\n|---|--:|\n";
  for (const auto& m : c.metrics) out += fmt::format("| {} | {} |\n", m, format_change(c.geomean.at(m)));
  out += "\n";
  if (reg + imp + inc) {
    out += header;
    for (const auto& j : c.jobs)
      for (const auto& m : j.metrics)
        if (m.verdict != Verdict::Unchanged) out += row(j, m);
    out += "\n";
  }
  if (unc) {
    out += fmt::format("<details><summary>{} unchanged</summary>\n\n", unc);
    out += header;
    for (const auto& j : c.jobs)
      for (const auto& m : j.metrics)
        if (m.verdict == Verdict::Unchanged) out += row(j, m);
    out += "\n</details>\n\n";
  }
  if (size_t flagged = c.count_flagged())
    out += fmt::format(
        "{} row(s) flagged TWO MODES or with outlying rounds: their rounds do not cluster around one value, so "
        "one ratio misleads; read the rounds (or rerun with `--precision`).\n\n",
        flagged);
  if (!c.only_in_base.empty() || !c.only_in_cand.empty())
    out += fmt::format("{} job(s) only in the baseline, {} only in the candidate (not compared).\n\n",
                       c.only_in_base.size(), c.only_in_cand.size());
  out +=
      "Time metrics compare the best round (min; max for throughput; the median in brackets), memory the "
      "median; the CI is a bootstrap 95% interval of the ratio over rounds (whole rounds resampled when both "
      "sides ran interleaved in one run), p a two-sided Mann-Whitney U test; exact counts compare values. "
      "(paired): time from 6+ interleaved rounds, where the change is the median of the per-round ratios, the CI "
      "its sign-test interval and p the sign test.\n";
  return out;
}

}  // namespace allocscope
