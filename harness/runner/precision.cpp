#include "harness/runner/precision.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "harness/stats/modes.hpp"

namespace allocscope {

namespace {

struct CellRounds {
  std::string label, full_label;
  bool all_have_rate = true;
  std::set<int> rounds;
  // allocator -> round -> record
  std::map<std::string, std::map<int, const RunRecord*>> by_allocator;
};

// "workload t=N", with the parameters only when `full` (two cells of one
// workload that differ in them).
std::string label_of(const JobIdentity& id, bool full) {
  std::string s = id.workload;
  if (full)
    for (const auto& [k, v] : id.params) s += fmt::format(" {}={}", k, v);
  return fmt::format("{} t={}", s, id.threads);
}

// The values of `metric` of `alloc`'s successful rounds, paired with the
// baseline's: the two vectors have the same length and round order.
void paired_values(const CellRounds& c, const std::string& baseline, const std::string& alloc,
                   const std::string& metric, std::vector<double>* base, std::vector<double>* cand) {
  const auto& b = c.by_allocator.at(baseline);
  const auto& a = c.by_allocator.at(alloc);
  for (const auto& [round, rb] : b) {
    auto it = a.find(round);
    if (it == a.end() || !rb->ok() || !it->second->ok()) continue;
    auto vb = rb->metrics.number(metric), va = it->second->metrics.number(metric);
    if (!vb || !va) continue;
    base->push_back(*vb);
    cand->push_back(*va);
  }
}

}  // namespace

std::vector<CellPrecision> evaluate_precision(const std::vector<RunRecord>& runs, const PrecisionOptions& p) {
  std::map<std::string, CellRounds> cells;
  std::vector<std::string> order;
  for (const auto& r : runs) {
    if (r.job.warmup) continue;
    const std::string key = r.job.cell_key(false);
    auto [it, fresh] = cells.try_emplace(key);
    CellRounds& c = it->second;
    if (fresh) {
      c.label = label_of(r.job, false);
      c.full_label = label_of(r.job, true);
      order.push_back(key);
    }
    c.rounds.insert(r.job.round);
    c.by_allocator[r.job.allocator][r.job.round] = &r;
    if (r.ok() && !r.metrics.number("ops_per_s")) c.all_have_rate = false;
  }
  std::map<std::string, int> label_uses;
  for (const auto& [key, c] : cells) ++label_uses[c.label];
  std::vector<CellPrecision> out;
  for (const auto& key : order) {
    const CellRounds& c = cells.at(key);
    if (!c.by_allocator.count(p.baseline)) continue;
    const std::string metric = !p.metric.empty() ? p.metric : c.all_have_rate ? "ops_per_s" : "wall_s";
    for (const auto& [alloc, rounds] : c.by_allocator) {
      if (alloc == p.baseline) continue;
      CellPrecision cp;
      cp.cell = key;
      cp.label = label_uses[c.label] > 1 ? c.full_label : c.label;
      cp.candidate = alloc;
      cp.metric = metric;
      cp.rounds = static_cast<int>(c.rounds.size());
      std::vector<double> base, cand;
      paired_values(c, p.baseline, alloc, metric, &base, &cand);
      cp.ratio = stats::paired_median_ratio(base, cand, p.rule.confidence);
      cp.reached = stats::precision_reached(cp.ratio, p.rule);
      cp.two_modes = stats::detect_modes(base).multimodal || stats::detect_modes(cand).multimodal;
      std::vector<double> ratios;
      for (size_t i = 0; i < base.size(); ++i)
        if (base[i] > 0 && cand[i] > 0) ratios.push_back(cand[i] / base[i]);
      cp.outlier_rounds = stats::outliers(ratios).size();
      out.push_back(std::move(cp));
    }
  }
  return out;
}

json to_json(const std::vector<CellPrecision>& cells, double target) {
  json a = json::array();
  for (const auto& c : cells) {
    json e = {{"cell", c.cell},
              {"label", c.label},
              {"candidate", c.candidate},
              {"metric", c.metric},
              {"rounds", c.rounds},
              {"pairs", c.ratio.rounds},
              {"ratio", c.ratio.ratio},
              {"reached", c.reached},
              {"target", target},
              {"two_modes", c.two_modes},
              {"outlier_rounds", c.outlier_rounds}};
    if (c.ratio.has_interval) {
      e["lo"] = c.ratio.lo;
      e["hi"] = c.ratio.hi;
      e["half_width"] = c.ratio.half_width();
    }
    a.push_back(std::move(e));
  }
  return a;
}

}  // namespace allocscope
