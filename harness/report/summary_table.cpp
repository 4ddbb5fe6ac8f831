#include "harness/report/summary_table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "harness/stats/modes.hpp"

namespace allocscope {

namespace {

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::string human_bytes(double b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (b >= 1024 && u < 4) b /= 1024, ++u;
  return u ? fmt::format("{:.1f}{}", b, units[u]) : fmt::format("{:.0f}{}", b, units[u]);
}

// The workload's own peak live bytes under this allocator against the first
// allocator's (medians), as " L+N%", when they differ by more than 10 % and
// 1 MiB: the program then held a different amount (producers that ran further
// ahead, say), and its peak RSS differs for that reason too.
std::string live_mark(const std::vector<double>& live, const std::vector<double>& ref) {
  if (live.empty() || ref.empty()) return {};
  const double l = median(live), r = median(ref);
  if (r <= 0 || std::abs(l - r) <= std::max(0.10 * r, 1024.0 * 1024.0)) return {};
  return fmt::format(" L{:+.0f}%", (l / r - 1) * 100);
}

std::string human_rate(double r) {
  if (r >= 1e9) return fmt::format("{:.2f}G/s", r / 1e9);
  if (r >= 1e6) return fmt::format("{:.2f}M/s", r / 1e6);
  if (r >= 1e3) return fmt::format("{:.1f}k/s", r / 1e3);
  return fmt::format("{:.0f}/s", r);
}

struct Cell {
  std::vector<double> rate, wall, rss, live;
  int failed = 0;
  std::string status;
};

// Runs gathered by row ("workload [param=value] t=N") and allocator.
struct Grid {
  std::vector<std::string> allocators, rows;                 // glibc, binmalloc, then by name; rows sorted
  std::map<std::string, std::map<std::string, Cell>> cells;  // row -> allocator -> cell
};

Grid collect(const std::vector<RunRecord>& runs) {
  Grid g;
  // Parameters that differ between runs of one workload go into its row label.
  std::map<std::string, std::map<std::string, std::set<std::string>>> values;  // workload -> param -> values
  for (const auto& r : runs)
    for (const auto& [k, v] : r.job.params) values[r.job.workload][k].insert(v);
  auto row_label = [&](const RunRecord& r) {
    std::string label = r.job.workload;
    for (const auto& [k, vs] : values[label])
      if (vs.size() > 1) {
        auto it = r.job.params.find(k);
        std::string v = it == r.job.params.end() ? std::string() : it->second;
        if (auto slash = v.rfind('/'); slash != std::string::npos) v = v.substr(slash + 1);  // file names
        label += fmt::format(" {}={}", k, v.size() > 24 ? v.substr(0, 21) + "..." : v);
      }
    return fmt::format("{} t={}", label, r.job.threads);
  };
  for (const auto& r : runs) {
    if (r.job.warmup) continue;
    const std::string& alloc = r.job.allocator;
    std::string row = row_label(r);
    if (std::find(g.allocators.begin(), g.allocators.end(), alloc) == g.allocators.end()) g.allocators.push_back(alloc);
    if (std::find(g.rows.begin(), g.rows.end(), row) == g.rows.end()) g.rows.push_back(row);
    Cell& c = g.cells[row][alloc];
    if (!r.ok()) {
      ++c.failed;
      c.status = to_string(r.status);
      continue;
    }
    if (auto v = r.metrics.number("ops_per_s")) c.rate.push_back(*v);
    if (auto v = r.metrics.number("wall_s")) c.wall.push_back(*v);
    if (auto v = r.metrics.number("peak_rss_bytes")) c.rss.push_back(*v);
    if (auto v = r.metrics.number("live_peak_bytes")) c.live.push_back(*v);
  }
  std::sort(g.rows.begin(), g.rows.end());
  // glibc, then binmalloc, then the others by name.
  auto rank = [](const std::string& a) { return a == "glibc" ? 0 : a == "binmalloc" ? 1 : 2; };
  std::sort(g.allocators.begin(), g.allocators.end(),
            [&](const std::string& a, const std::string& b) { return rank(a) != rank(b) ? rank(a) < rank(b) : a < b; });
  return g;
}

// Which marks the table used, for its legend.
struct Marks {
  bool modes = false, outliers = false, live = false;
};

// One cell: the best round (or the two modes' centers) with its ratio to the
// reference cell ref (null when the reference has no runs on the row), then
// outlying rounds, median peak RSS, the live-set mark and failures.
std::string cell_text(const Cell& c, const Cell* ref, Marks& marks) {
  const bool other = ref && &c != ref;
  const stats::RoundShape shape = stats::round_shape(!c.rate.empty() ? c.rate : c.wall);
  std::string text = "-";
  if (shape.two_modes()) {
    auto show = [&](double v) { return !c.rate.empty() ? human_rate(v) : fmt::format("{:.3f}s", v); };
    text = "MODES " + show(shape.modes.low_center) + "|" + show(shape.modes.high_center);
    marks.modes = true;
  } else if (!c.rate.empty()) {
    double best = *std::max_element(c.rate.begin(), c.rate.end());
    text = human_rate(best);
    if (other && !ref->rate.empty())
      text += fmt::format(" {:.2f}x", best / *std::max_element(ref->rate.begin(), ref->rate.end()));
  } else if (!c.wall.empty()) {
    double best = *std::min_element(c.wall.begin(), c.wall.end());
    text = fmt::format("{:.3f}s", best);
    if (other && !ref->wall.empty())
      text += fmt::format(" {:.2f}x", best / *std::min_element(ref->wall.begin(), ref->wall.end()));
  }
  if (shape.outliers) text += fmt::format(" !{}", shape.outliers), marks.outliers = true;
  if (!c.rss.empty()) text += " " + human_bytes(median(c.rss));
  if (other) {
    const std::string mark = live_mark(c.live, ref->live);
    if (!mark.empty()) text += mark, marks.live = true;
  }
  if (c.failed) text += fmt::format(" {}x{}", c.failed, c.status);
  return text;
}

std::string legend(const std::string& reference, const Marks& marks) {
  std::string out =
      "cells: best throughput (or best wall time for whole programs), ratio to " + reference + ", median peak RSS\n";
  if (marks.modes)
    out += "MODES a|b: the rounds fall in two clusters around a and b, so no single value or ratio is shown\n";
  if (marks.outliers) out += "!N: N outlying rounds (the best round may be one of them)\n";
  if (marks.live)
    out += "L+N%: the workload itself held N % more (or less) at its peak than with " + reference +
           " (median live_peak_bytes), so its peak RSS differs for that reason too (frag_peak_ratio compares "
           "the two per live byte)\n";
  return out;
}

}  // namespace

std::string summary_table(const std::vector<RunRecord>& runs) {
  Grid g = collect(runs);
  if (g.rows.empty()) return "no results\n";
  size_t w0 = 8;
  for (const auto& r : g.rows) w0 = std::max(w0, r.size());
  const size_t wc = 26;
  std::string out = fmt::format("{:<{}}", "workload", w0);
  for (const auto& a : g.allocators) out += fmt::format(" | {:<{}}", a, wc);
  out += "\n" + std::string(w0, '-');
  for (size_t i = 0; i < g.allocators.size(); ++i) out += "-+-" + std::string(wc, '-');
  out += "\n";
  Marks marks;
  for (const auto& row : g.rows) {
    const auto& cells = g.cells[row];
    auto ref = cells.find(g.allocators.front());
    out += fmt::format("{:<{}}", row, w0);
    for (const auto& a : g.allocators) {
      auto it = cells.find(a);
      std::string text =
          it == cells.end() ? "-" : cell_text(it->second, ref == cells.end() ? nullptr : &ref->second, marks);
      out += fmt::format(" | {:<{}}", text, wc);
    }
    out += "\n";
  }
  return out + legend(g.allocators.front(), marks);
}

}  // namespace allocscope
