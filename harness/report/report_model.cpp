#include "harness/report/report_model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "harness/report/format.hpp"
#include "harness/report/run_groups.hpp"
#include "harness/results/metrics.hpp"
#include "harness/stats/comparison.hpp"

namespace allocscope {

namespace {

const std::vector<std::pair<std::string, std::string>> kReportMetrics{
    {"ops_per_s", "Throughput (best round)"},
    {"peak_rss_bytes", "Peak RSS (median)"},
    {"end_rss_bytes", "RSS after freeing everything (median)"},
    {"minflt", "Minor page faults (median)"},
    {"syscalls_total", "Memory syscalls (median)"},
    {"frag_peak_ratio", "Fragmentation: peak RSS / peak live bytes (median)"},
    {"frag_end_ratio", "Fragmentation: RSS / live bytes at window end (median)"},
    {"lat_p99_ns", "p99 operation latency (best round)"},
};

using Versus = std::map<std::string, stats::Comparison>;  // allocator -> comparison with the reference

std::vector<std::string> report_metric_names() {
  std::vector<std::string> names;
  for (const auto& [k, _] : kReportMetrics) names.push_back(k);
  return names;
}

// Facts of the run for the report's header.
std::vector<std::pair<std::string, std::string>> context_lines(const json& ctx) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const char* k : {"date", "host", "cpu", "cores", "kernel", "glibc", "thp", "git_revision", "command_line"})
    if (ctx.contains(k)) out.emplace_back(k, ctx[k].is_string() ? ctx[k].get<std::string>() : ctx[k].dump());
  if (ctx.contains("allocators"))
    for (const auto& [name, a] : ctx["allocators"].items())
      out.emplace_back("allocator " + name,
                       a.value("version", "") + (a.value("path", "").empty() ? "" : " (" + a.value("path", "") + ")"));
  return out;
}

// Ratios to the reference with bootstrap CIs, per candidate allocator.
Versus compare_with_reference(const Results& doc, const std::vector<std::string>& allocs,
                              const std::string& reference) {
  Versus vs;
  for (const auto& a : allocs) {
    if (a == reference) continue;
    stats::CompareInput in;
    in.base_doc = doc;
    in.cand_doc = doc;
    in.base_alloc = in.base_name = reference;
    in.cand_alloc = in.cand_name = a;
    in.metrics = report_metric_names();
    try {
      vs.emplace(a, stats::compare(in));
    } catch (const std::exception&) {
      // no job in common with the reference: no ratios for this allocator
    }
  }
  return vs;
}

const stats::MetricComparison* find_cmp(const Versus& vs, const std::string& alloc, const std::string& job_name,
                                        const std::string& metric) {
  auto it = vs.find(alloc);
  if (it == vs.end()) return nullptr;
  for (const auto& j : it->second.jobs) {
    if (j.name() != job_name) continue;
    for (const auto& mc : j.metrics)
      if (mc.metric == metric) return &mc;
  }
  return nullptr;
}

// The data plot_report.py draws: per job and metric the estimate and the
// ratio to the reference, and the RSS series of each job's first round.
json chart_data_of(const std::vector<RunGroup>& groups, const Versus& vs, const std::string& reference,
                   const std::vector<std::string>& allocs) {
  json jobs = json::array();
  for (const auto& g : groups) {
    json jm = json::object();
    for (const auto& name : report_metric_names()) {
      const MetricDef* def = find_metric(name);
      auto v = stats::metric_samples(g.runs, name);
      if (v.empty()) continue;
      json e{{"value", stats::estimate(stats::policy_for(*def, g.threads).estimator, v)}, {"rounds", v.size()}};
      if (g.allocator == reference) {
        e["ratio"] = 1.0, e["lo"] = 1.0, e["hi"] = 1.0;
      } else if (auto* mc = find_cmp(vs, g.allocator, g.name, name); mc && std::isfinite(mc->ratio)) {
        e["ratio"] = mc->ratio;
        if (std::isfinite(mc->ci.lo)) e["lo"] = mc->ci.lo, e["hi"] = mc->ci.hi;
      }
      jm[name] = e;
    }
    jobs.push_back({{"name", g.name},
                    {"workload", g.workload},
                    {"threads", g.threads},
                    {"allocator", g.allocator},
                    {"metrics", jm}});
  }
  json series = json::array();
  for (const auto& g : groups) {
    const RunRecord* first = g.runs.empty() ? nullptr : g.runs.front();
    if (!first || first->rss_series.empty()) continue;
    json points = json::array();
    for (const auto& [t, rss] : first->rss_series) points.push_back({t, rss});
    json entry = {{"name", g.name}, {"allocator", g.allocator}, {"series", points}};
    if (!first->live_series.empty()) {
      json live = json::array();
      for (const auto& [t, bytes] : first->live_series) live.push_back({t, bytes});
      entry["live"] = live;
    }
    series.push_back(std::move(entry));
  }
  return {{"reference", reference}, {"allocators", allocs}, {"jobs", jobs}, {"rss_series", series}};
}

// Summary: geometric means of the ratios and the verdicts per allocator.
ReportSection summary_section(const Versus& vs, const std::string& reference) {
  ReportSection summary;
  summary.title = "Summary";
  summary.text = fmt::format(
      "Each allocator against {}: geometric mean over jobs of the candidate/reference ratio, and the "
      "verdicts (time: best round; memory: median; 95% bootstrap CI and Mann-Whitney p over rounds; time "
      "from 6+ interleaved rounds: the median of the per-round ratios, its sign-test interval and p). "
      "\"flagged\" counts the job-metric rows whose rounds fall in two modes or have outlying rounds, on "
      "either side: the tables below mark them, and a row in two modes shows its two cluster centers "
      "instead of one misleading ratio.",
      reference);
  ReportTable st;
  st.header = {"allocator", "throughput", "peak RSS",     "syscalls", "regressed",
               "improved",  "unchanged",  "inconclusive", "flagged"};
  for (const auto& entry : vs) {
    const auto& a = entry.first;
    const auto& c = entry.second;  // a named reference: clang 14 cannot capture structured bindings
    auto gm = [&](const std::string& k) {
      return c.geomean.count(k) ? fmt::format("x{:.3f}", c.geomean.at(k)) : std::string("-");
    };
    st.rows.push_back({a, gm("ops_per_s"), gm("peak_rss_bytes"), gm("syscalls_total"),
                       std::to_string(c.count(stats::Verdict::Regressed)),
                       std::to_string(c.count(stats::Verdict::Improved)),
                       std::to_string(c.count(stats::Verdict::Unchanged)),
                       std::to_string(c.count(stats::Verdict::Inconclusive)), std::to_string(c.count_flagged())});
  }
  summary.tables.push_back(st);
  return summary;
}

// One cell of a metric table: the estimate, and the ratio to the reference with its CI.
std::string metric_cell(const RunGroup& g, const MetricDef& def, const stats::MetricComparison* mc) {
  auto v = stats::metric_samples(g.runs, def.name);
  if (v.empty()) return {};
  const stats::MetricPolicy policy = stats::policy_for(def, g.threads);
  std::string cell = format_value(stats::estimate(policy.estimator, v), def.unit);
  // Rounds in two clusters: no single ratio, the two cluster centers instead.
  const bool timed = def.cls == MetricClass::Time || def.cls == MetricClass::Throughput;
  const stats::RoundShape own = timed ? stats::round_shape(v) : stats::RoundShape{};
  if (own.two_modes() || (mc && mc->flagged() && (mc->base_shape.two_modes() || mc->cand_shape.two_modes()))) {
    const stats::RoundShape& shown = own.two_modes()              ? own
                                     : mc->base_shape.two_modes() ? mc->base_shape
                                                                  : mc->cand_shape;
    std::string flag = shape_flag(shown, def.unit);
    if (!own.two_modes()) flag.replace(0, 9, "TWO MODES in the reference");
    return cell + " (" + flag + ")";
  }
  if (own.outliers) cell += " (" + shape_flag(own, def.unit) + ")";
  if (mc && std::isfinite(mc->ratio)) {
    cell += fmt::format(" (x{:.3f}", mc->ratio);
    if (std::isfinite(mc->ci.lo)) cell += fmt::format(" [{:.3f}, {:.3f}]", mc->ci.lo, mc->ci.hi);
    cell += ")";
  }
  return cell;
}

// A section per metric: a row per job, a column per allocator; empty
// (no tables) when no job measured the metric.
ReportSection metric_section(const std::string& name, const std::string& title, const std::vector<RunGroup>& groups,
                             const std::vector<std::string>& allocs, const Versus& vs, const std::string& reference) {
  const MetricDef* def = find_metric(name);
  std::vector<std::string> job_names;
  for (const auto& g : groups)
    if (std::find(job_names.begin(), job_names.end(), g.name) == job_names.end()) job_names.push_back(g.name);
  ReportTable t;
  t.header = {"job"};
  for (const auto& a : allocs) t.header.push_back(a);
  for (const auto& jn : job_names) {
    std::vector<std::string> row{jn};
    bool row_any = false;
    for (const auto& a : allocs) {
      std::string cell = "-";
      for (const auto& g : groups) {
        if (g.name != jn || g.allocator != a) continue;
        std::string c = metric_cell(g, *def, find_cmp(vs, a, jn, name));
        if (c.empty()) break;
        cell = c;
        row_any = true;
      }
      row.push_back(cell);
    }
    if (row_any) t.rows.push_back(row);
  }
  ReportSection s;
  s.title = title;
  if (t.rows.empty()) return s;
  s.text = fmt::format("{} ({}, {}); in brackets the ratio to {} with its 95% CI.", def->doc, def->unit,
                       def->direction == Direction::HigherIsBetter ? "higher is better" : "lower is better", reference);
  s.tables.push_back(std::move(t));
  return s;
}

}  // namespace

ReportModel build_report_model(const Results& doc, std::string reference, json* chart_data) {
  ReportModel m;
  auto allocs = allocators_of(doc.runs);
  if (allocs.empty()) throw std::runtime_error("the results have no runs");
  if (reference.empty())
    reference = std::find(allocs.begin(), allocs.end(), "glibc") != allocs.end() ? "glibc" : allocs[0];
  m.reference = reference;
  // The reference first, then the order of the run's context (its --allocators).
  std::stable_sort(allocs.begin(), allocs.end(),
                   [&](const std::string& a, const std::string& b) { return a == reference && b != reference; });
  m.context = context_lines(doc.context);
  const Versus vs = compare_with_reference(doc, allocs, reference);
  const auto groups = group_by_job(doc);
  if (chart_data) *chart_data = chart_data_of(groups, vs, reference, allocs);
  m.sections.push_back(summary_section(vs, reference));
  for (const auto& [name, title] : kReportMetrics) {
    ReportSection s = metric_section(name, title, groups, allocs, vs, reference);
    if (!s.tables.empty()) m.sections.push_back(std::move(s));
  }
  return m;
}

void add_charts(ReportModel& m, const std::vector<std::string>& files, const std::string& why_none) {
  static const std::map<std::string, std::string> captions{
      {"throughput.png", "Throughput relative to the reference, with 95% CI whiskers"},
      {"peak_rss.png", "Peak RSS relative to the reference, with 95% CI whiskers"},
      {"rss_over_time.png", "RSS over time (first round of each job)"},
      {"thread_scaling.png", "Throughput against thread count"},
      {"faults_syscalls.png", "Minor page faults and memory syscalls"},
      {"fragmentation.png", "Fragmentation ratios"},
      {"fragmentation_over_time.png",
       "Realized fragmentation over time: (RSS - live bytes) / live bytes at each sample holding a tenth of the "
       "peak live bytes or more, RSS and the workload's live "
       "requested bytes read on one clock (first round of each job)"},
  };
  ReportSection s;
  s.title = "Charts";
  if (files.empty()) s.text = "No charts: " + why_none;
  for (const auto& f : files) {
    auto it = captions.find(f);
    s.images.emplace_back(f, it != captions.end() ? it->second : f);
  }
  m.sections.insert(m.sections.begin() + 1, std::move(s));
}

}  // namespace allocscope
