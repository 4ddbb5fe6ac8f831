#include "harness/runner/precise_run.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <random>
#include <set>

#include "harness/report/console.hpp"
#include "harness/runner/launcher.hpp"

namespace allocscope {

namespace {

// One job per cell and allocator, from the plan's first measured round:
// what an added round copies.
std::map<std::string, std::vector<Job>> templates_of(const std::vector<Job>& plan) {
  std::map<std::string, std::vector<Job>> out;
  std::set<std::string> seen;
  for (const Job& j : plan) {
    if (j.warmup || !seen.insert(j.key()).second) continue;
    out[identity_of(j).cell_key(false)].push_back(j);
  }
  return out;
}

// Round `round` of `cells`, in its own shuffled order, indexed from `first`.
std::vector<Job> make_round(const std::map<std::string, std::vector<Job>>& templates,
                            const std::vector<std::string>& cells, int round, uint64_t seed, size_t first) {
  std::vector<Job> jobs;
  for (const auto& c : cells) {
    auto it = templates.find(c);
    if (it == templates.end()) continue;
    for (Job j : it->second) {
      j.round = round;
      j.warmup = false;
      jobs.push_back(std::move(j));
    }
  }
  std::mt19937_64 rng(seed ^ 0x5eedf00dULL ^ (static_cast<uint64_t>(round) << 32));
  std::shuffle(jobs.begin(), jobs.end(), rng);
  for (auto& j : jobs) j.index = first++;
  return jobs;
}

size_t next_index(const std::vector<Job>& jobs, const Results& results) {
  size_t n = 0;
  for (const auto& j : jobs) n = std::max(n, j.index + 1);
  for (const auto& r : results.runs) n = std::max(n, r.job.index.value_or(0) + 1);
  return n;
}

// Seconds the jobs of `round` should take: each job's median recorded wall
// time, scaled by how much longer than their wall times the jobs so far
// took to run (start-up, measurement).
double round_estimate(const std::vector<Job>& round, const Results& results, double elapsed_s) {
  std::map<std::string, std::vector<double>> walls;
  double total_wall = 0;
  for (const auto& r : results.runs)
    if (auto w = r.metrics.number("wall_s")) {
      walls[r.job.cell_key(true)].push_back(*w);
      total_wall += *w;
    }
  const double overhead = total_wall > 0 ? std::max(1.0, elapsed_s / total_wall) : 1.0;
  double est = 0;
  for (const Job& j : round) {
    auto& v = walls[identity_of(j).cell_key(true)];
    if (v.empty()) continue;
    std::sort(v.begin(), v.end());
    est += v[v.size() / 2];
  }
  return est * overhead;
}

json options_json(const PrecisionOptions& p) {
  return {{"target", p.rule.precision},
          {"confidence", p.rule.confidence},
          {"min_rounds", p.rule.min_rounds},
          {"max_time_s", p.rule.max_time_s},
          {"max_rounds", p.max_rounds},
          {"baseline", p.baseline},
          {"metric", p.metric.empty() ? "ops_per_s, else wall_s" : p.metric}};
}

}  // namespace

Results run_precise(const std::vector<Job>& plan, const RunOptions& opt, const RunDir& dir, Results results,
                    const PrecisionOptions& p, uint64_t seed) {
  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  const json before = results.context.value("precision", json::object());
  const double earlier_s = before.value("elapsed_s", 0.0);
  const json added = before.value("added_rounds", json::array());
  json state = options_json(p);
  state["added_rounds"] = added;
  const auto templates = templates_of(plan);
  std::vector<Job> jobs = plan;
  int last_round = 0;
  for (const Job& j : plan) last_round = std::max(last_round, j.round);
  // A resumed run first rebuilds the rounds it had added.
  for (const auto& a : added) {
    const int round = a.at("round").get<int>();
    auto more = make_round(templates, a.at("cells").get<std::vector<std::string>>(), round, seed, a.at("first_index"));
    jobs.insert(jobs.end(), more.begin(), more.end());
    last_round = std::max(last_round, round);
  }
  auto elapsed = [&] { return earlier_s + std::chrono::duration<double>(clock::now() - t0).count(); };
  std::string stopped;
  std::vector<CellPrecision> cells;
  for (;;) {
    state["elapsed_s"] = elapsed();
    results.context["precision"] = state;  // saved by run_plan before the round runs
    results = run_plan(jobs, opt, dir, std::move(results));
    cells = evaluate_precision(results.runs, p);
    if (g_stop_requested.load()) {
      stopped = "interrupted";
      break;
    }
    std::vector<std::string> open;
    bool at_limit = false;
    for (const auto& c : cells)
      if (!c.reached && std::find(open.begin(), open.end(), c.cell) == open.end()) {
        if (c.rounds >= p.max_rounds)
          at_limit = true;
        else
          open.push_back(c.cell);
      }
    if (open.empty()) {
      stopped = at_limit ? "max-rounds" : "reached";
      break;
    }
    const int round = last_round + 1;
    std::vector<Job> next = make_round(templates, open, round, seed, next_index(jobs, results));
    const double est = round_estimate(next, results, elapsed());
    if (!stats::round_fits(elapsed(), est, p.rule)) {
      stopped = "max-time";
      break;
    }
    if (!opt.quiet)
      note("allocscope: round {}: {} of {} comparisons not yet within ±{:g}%, {} jobs (about {:.0f} s)", round + 1,
           std::count_if(cells.begin(), cells.end(), [](const CellPrecision& c) { return !c.reached; }), cells.size(),
           p.rule.precision * 100, next.size(), est);
    state["added_rounds"].push_back({{"round", round}, {"first_index", next.front().index}, {"cells", open}});
    jobs.insert(jobs.end(), next.begin(), next.end());
    last_round = round;
  }
  state["stopped"] = stopped;
  state["elapsed_s"] = elapsed();
  state["comparisons"] = to_json(cells, p.rule.precision);
  results.context["precision"] = std::move(state);
  dir.save_results(results);
  return results;
}

}  // namespace allocscope
