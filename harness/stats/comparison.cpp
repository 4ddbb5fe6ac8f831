#include "harness/stats/comparison.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <set>
#include <tuple>

#include "common/input_error.hpp"

namespace allocscope::stats {

namespace {

struct Group {
  std::vector<const RunRecord*> runs;
  const RunRecord* first = nullptr;
};

std::map<std::string, Group> group_runs(const Results& doc, const std::string& only_alloc, bool with_allocator,
                                        std::vector<std::string>* order) {
  std::map<std::string, Group> groups;
  for (const auto& r : doc.runs) {
    if (!only_alloc.empty() && r.job.allocator != only_alloc) continue;
    std::string k = job_key(r.job, with_allocator);
    Group& g = groups[k];
    if (!g.first) {
      g.first = &r;
      if (order) order->push_back(k);
    }
    if (r.counts()) g.runs.push_back(&r);
  }
  return groups;
}

// Values by round number; rounds that occur twice are dropped (not pairable).
std::map<int, double> samples_by_round(const std::vector<const RunRecord*>& runs, const std::string& metric) {
  std::map<int, double> out;
  std::set<int> dup;
  for (const RunRecord* r : runs) {
    auto v = r->metrics.number(metric);
    if (!v) continue;
    if (!out.emplace(r->job.round, *v).second) dup.insert(r->job.round);
  }
  for (int d : dup) out.erase(d);
  return out;
}

}  // namespace

std::string job_key(const JobIdentity& job, bool with_allocator) {
  return job.cell_key(with_allocator);
}

std::string JobComparison::key() const {
  std::string k = allocator.empty() ? "" : allocator + "|";
  k += workload;
  for (const auto& [n, v] : params) k += "|" + n + "=" + v;
  for (const auto& a : command) k += "|" + a;
  return k + "|t" + std::to_string(threads);
}

std::string JobComparison::name() const {
  std::string s = workload;
  if (!params.empty()) {
    s += "/";
    bool first = true;
    for (const auto& [n, v] : params) s += (first ? "" : ",") + n + "=" + v, first = false;
  }
  s += fmt::format("/threads:{}", threads);
  if (!allocator.empty()) s += " [" + allocator + "]";
  return s;
}

size_t Comparison::count(Verdict v) const {
  size_t n = 0;
  for (const auto& j : jobs)
    for (const auto& m : j.metrics) n += m.verdict == v;
  return n;
}

size_t Comparison::count_flagged() const {
  size_t n = 0;
  for (const auto& j : jobs)
    for (const auto& m : j.metrics) n += m.flagged();
  return n;
}

double default_compare_threshold(const std::string& metric) {
  if (metric == "syscalls_total") return 0;
  if (metric == "instructions") return 0.01;  // deterministic within ~0.01%; allow small code drift
  if (metric == "minflt" || metric == "majflt") return 0.02;
  const MetricDef* d = find_metric(metric);
  if (!d) return 0.05;
  switch (d->cls) {
    case MetricClass::Time:
    case MetricClass::Throughput:
      return 0.05;
    case MetricClass::Memory:
    case MetricClass::Ratio:
      return 0.10;
    case MetricClass::Count:
      return 0.10;
    case MetricClass::Info:
      return 0;
  }
  return 0.05;
}

const std::vector<std::string>& default_compare_metrics() {
  static const std::vector<std::string> m{"ops_per_s",     "window_s",    "cpu_user_s",     "peak_rss_bytes",
                                          "end_rss_bytes", "minflt",      "syscalls_total", "frag_peak_ratio",
                                          "lat_p99_ns",    "instructions"};
  return m;
}

std::vector<double> metric_samples(const std::vector<const RunRecord*>& runs, const std::string& metric) {
  std::vector<double> out;
  for (const RunRecord* r : runs) {
    if (!r->counts()) continue;
    if (auto v = r->metrics.number(metric)) out.push_back(*v);
  }
  return out;
}

Comparison compare(const CompareInput& in) {
  const bool one_file = !in.base_alloc.empty();
  Comparison c;
  c.base_name = in.base_name;
  c.cand_name = in.cand_name;
  std::vector<std::string> base_order, cand_order;
  auto base = group_runs(in.base_doc, in.base_alloc, !one_file, &base_order);
  auto cand = group_runs(in.cand_doc, in.cand_alloc, !one_file, &cand_order);
  if (one_file) {
    std::set<std::string> allocs;
    for (const auto& r : in.base_doc.runs) allocs.insert(r.job.allocator);
    for (const auto& a : {in.base_alloc, in.cand_alloc})
      if (!allocs.count(a))
        throw InputError(fmt::format("allocator '{}' is not in the results (they have: {})", a,
                                     fmt::join(std::vector<std::string>(allocs.begin(), allocs.end()), ", ")));
  }
  std::map<std::string, std::vector<double>> ratios;
  for (const auto& key : base_order) {
    auto ci = cand.find(key);
    if (ci == cand.end()) {
      c.only_in_base.push_back(key);
      continue;
    }
    const Group& b = base.at(key);
    const Group& n = ci->second;
    const JobIdentity& id = b.first->job;
    JobComparison jc;
    jc.workload = id.workload;
    if (!one_file) jc.allocator = id.allocator;
    jc.params = id.params;
    jc.command = id.command;
    jc.threads = id.threads;
    double live_peak = median(metric_samples(b.runs, "live_peak_bytes"));
    double live_end = median(metric_samples(b.runs, "live_end_bytes"));
    for (const auto& name : in.metrics) {
      const MetricDef* def = find_metric(name);
      if (!def) continue;
      MetricPolicy pol = policy_for(*def, jc.threads, live_peak, live_end);
      if (!pol.compared) continue;
      auto bs = metric_samples(b.runs, name), cs = metric_samples(n.runs, name);
      if (bs.empty() && cs.empty()) continue;  // not measured in this job
      // One interleaved run: pair the two sides by round when every round has both.
      bool paired = false;
      if (one_file) {
        auto bm = samples_by_round(b.runs, name), cm = samples_by_round(n.runs, name);
        if (bm.size() == bs.size() && cm.size() == cs.size() && bm.size() == cm.size() &&
            std::equal(bm.begin(), bm.end(), cm.begin(),
                       [](const auto& x, const auto& y) { return x.first == y.first; })) {
          paired = true;
          bs.clear(), cs.clear();
          for (const auto& [r, v] : bm) bs.push_back(v);
          for (const auto& [r, v] : cm) cs.push_back(v);
        }
      }
      auto th = in.thresholds.find(name);
      double t = th != in.thresholds.end() ? th->second : default_compare_threshold(name);
      MetricComparison mc = compare_metric(*def, pol, bs, cs, t, in.rules, paired);
      if (std::isfinite(mc.ratio) && mc.ratio > 0) ratios[name].push_back(mc.ratio);
      jc.metrics.push_back(std::move(mc));
    }
    c.jobs.push_back(std::move(jc));
  }
  std::stable_sort(c.jobs.begin(), c.jobs.end(), [](const JobComparison& a, const JobComparison& b) {
    return std::tie(a.workload, a.params, a.command, a.threads, a.allocator) <
           std::tie(b.workload, b.params, b.command, b.threads, b.allocator);
  });
  for (const auto& key : cand_order)
    if (!base.count(key)) c.only_in_cand.push_back(key);
  if (c.jobs.empty())
    throw InputError(fmt::format("no job of {} matches a job of {} (jobs match by {}workload, params and threads)",
                                 in.cand_name, in.base_name, one_file ? "" : "allocator, "));
  for (const auto& name : in.metrics)
    if (ratios.count(name)) {
      c.metrics.push_back(name);
      c.geomean[name] = geomean(ratios[name]);
    }
  return c;
}

}  // namespace allocscope::stats
