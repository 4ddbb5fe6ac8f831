#include "harness/runner/calibrate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "allocscope/workload.hpp"
#include "common/input_error.hpp"
#include "harness/report/console.hpp"

namespace allocscope {

namespace {

using ojson = nlohmann::ordered_json;

// The thread counts a selection runs with (as build_plan expands them).
std::vector<int> threads_of(const WorkloadSel& sel, const WorkloadInfo& info, const PlanRequest& req) {
  if (!info.multithreaded) return {1};
  return !sel.threads.empty() ? sel.threads : req.threads;
}

const ParamSpec* spec_of(const WorkloadInfo& info, const std::string& name) {
  for (const auto& p : info.params)
    if (p.name == name) return &p;
  return nullptr;
}

// One calibration job: the selection at `value`, `threads`, first allocator.
RunRecord measure(const WorkloadSel& sel, const std::string& param, uint64_t value, int threads, const PlanRequest& req,
                  const RunOptions& opt) {
  PlanRequest one;
  WorkloadSel s = sel;
  s.params[param] = std::to_string(value);
  s.threads = {threads};
  one.workloads = {s};
  one.allocators = {req.allocators.front()};
  one.threads = {threads};
  one.seed = req.seed;
  std::vector<Job> jobs = build_plan(one);
  return run_job(jobs.at(0), opt);
}

ojson calibrate_one(size_t index, const WorkloadSel& sel, const WorkloadInfo& info, int threads, const PlanRequest& req,
                    const RunOptions& opt, const CalibrationOptions& c) {
  const ParamSpec* spec = spec_of(info, info.scale);
  const std::string origin = info.name + fmt::format(" t={}", threads);
  if (!spec) throw std::logic_error("workload " + info.name + " declares an unknown scale parameter " + info.scale);
  const uint64_t from = std::stoull(spec->def);
  uint64_t value = from;
  ojson e{{"selection", index},
          {"workload", info.name},
          {"threads", threads},
          {"param", info.scale},
          {"from", std::to_string(from)}};
  double window = 0;
  int runs = 0;
  std::string why;
  ojson steps = ojson::array();  // each measurement: the value tried and its window
  bool reached = false;
  while (runs < c.max_runs) {
    RunRecord r = measure(sel, info.scale, value, threads, req, opt);
    ++runs;
    if (!r.ok()) {
      why =
          fmt::format("calibration run failed ({}: {}); kept {}={}", to_string(r.status), r.reason, info.scale, value);
      break;
    }
    window = r.metrics.number_or("window_s", 0.0);
    steps.push_back({{"value", std::to_string(value)}, {"window_s", window}});
    if (window >= c.min_window_s) {
      reached = true;
      break;
    }
    const double growth = window > 0 ? std::clamp(c.min_window_s * c.headroom / window, 1.5, c.max_growth) : 10.0;
    const double next = std::min(std::ceil(static_cast<double>(value) * growth), spec->max);
    if (next <= static_cast<double>(value)) {
      why = fmt::format("{} is at its largest value ({})", info.scale, value);
      break;
    }
    value = static_cast<uint64_t>(next);
  }
  if (!reached && why.empty()) why = fmt::format("window still below the minimum after {} runs", runs);
  e["to"] = std::to_string(value);
  e["window_s"] = window;
  e["runs"] = runs;
  e["steps"] = steps;
  e["reached"] = reached;
  if (!why.empty()) e["note"] = why;
  if (!opt.quiet)
    note("allocscope: calibrated {}: {} {} -> {} (window {:.0f} ms{})", origin, info.scale, from, value, window * 1e3,
         reached ? "" : ", " + why);
  return e;
}

}  // namespace

ojson calibrate_windows(const PlanRequest& req, const RunOptions& opt, const CalibrationOptions& c) {
  ojson out = ojson::array();
  if (req.allocators.empty()) return out;
  RunOptions quiet = opt;  // the calibration jobs measure time only
  quiet.count_syscalls = false;
  quiet.count_instructions = false;
  quiet.rss_interval_s = 0;
  quiet.output_dir.clear();
  for (size_t i = 0; i < req.workloads.size(); ++i) {
    const WorkloadSel& sel = req.workloads[i];
    const WorkloadInfo* info = WorkloadRegistry::instance().find(sel.name);
    if (!info || info->command || info->scale.empty() || sel.params.count(info->scale)) continue;
    for (int t : threads_of(sel, *info, req)) out.push_back(calibrate_one(i, sel, *info, t, req, quiet, c));
  }
  return out;
}

void apply_calibration(PlanRequest& req, const ojson& calibration) {
  std::vector<WorkloadSel> out;
  for (size_t i = 0; i < req.workloads.size(); ++i) {
    const WorkloadSel& sel = req.workloads[i];
    std::vector<const ojson*> entries;
    for (const auto& e : calibration)
      if (e.value("selection", size_t{0}) == i) entries.push_back(&e);
    if (entries.empty()) {
      out.push_back(sel);
      continue;
    }
    const WorkloadInfo* info = WorkloadRegistry::instance().find(sel.name);
    if (!info || entries.front()->value("workload", "") != sel.name)
      throw InputError(fmt::format("the recorded calibration names workload '{}' for selection {}, the run has '{}'",
                                   entries.front()->value("workload", ""), i + 1, sel.name));
    for (int t : threads_of(sel, *info, req)) {
      WorkloadSel one = sel;
      one.threads = {t};
      for (const ojson* e : entries)
        if (e->value("threads", 0) == t) one.params[e->value("param", "")] = e->value("to", "");
      out.push_back(std::move(one));
    }
  }
  req.workloads = std::move(out);
}

}  // namespace allocscope
