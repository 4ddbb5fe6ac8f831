// allocscope gate: a CI regression gate. Compares like `allocscope compare`
// over the metrics with a threshold; exit 0 when nothing regressed, 1 when
// something did, 2 on bad input. --confirm N re-runs the suspect jobs for N
// more interleaved rounds (the arguments come from DIR/run.json) and decides
// on the combined data.
#include <fmt/format.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <random>
#include <set>

#include "common/input_error.hpp"
#include "harness/cli/commands.hpp"
#include "harness/cli/compare_inputs.hpp"
#include "harness/cli/run_setup.hpp"
#include "harness/probes/proc.hpp"
#include "harness/report/compare_markdown.hpp"
#include "harness/report/compare_text.hpp"
#include "harness/report/progress.hpp"
#include "harness/results/history.hpp"
#include "harness/results/run_dir.hpp"
#include "harness/runner/launcher.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace allocscope {

namespace {

const std::map<std::string, double>& gate_defaults() {
  static const std::map<std::string, double> d{{"ops_per_s", 0.05}, {"peak_rss_bytes", 0.10}, {"syscalls_total", 0.0}};
  return d;
}

// The recorded `allocscope run` of a results file, or null when there is no run.json.
std::unique_ptr<RunSetup> recorded_run(const std::string& results_file) {
  const std::string folder = RunDir::folder_of(results_file);
  if (folder.empty()) return nullptr;
  RunArguments saved;
  try {
    saved = RunDir::existing(folder).load_arguments();
  } catch (const InputError&) {
    return nullptr;
  }
  // The suspect jobs re-run with the inputs the run used: its calibration, never a new one.
  const json context = RunDir::existing(folder).saved_context();
  auto s =
      setup_run(saved.args, saved.exec,
                context.contains("calibration") ? CalibrationSource{CalibrationSource::Recorded, context["calibration"]}
                                                : CalibrationSource{CalibrationSource::None, {}});
  s->opt.quiet = true;
  return s;
}

int max_round(const Results& doc) {
  int r = -1;
  for (const auto& run : doc.runs) r = std::max(r, run.job.round);
  return r;
}

JobIdentity cell_of(const Job& j) {
  JobIdentity id;
  id.allocator = j.allocator_name();
  id.workload = j.workload;
  id.params = j.params;
  id.command = j.exec_argv;
  id.threads = j.threads;
  return id;
}

// Re-runs the suspect jobs `rounds` more times, interleaved in a fresh random
// order each round, and appends the records to the documents. Returns the
// number of runs added.
size_t confirm(stats::CompareInput& in, const std::vector<std::string>& files, const std::set<std::string>& suspects,
               int rounds) {
  const bool one_file = !in.base_alloc.empty();
  struct Side {
    std::unique_ptr<RunSetup> setup;
    std::vector<Job> jobs;
    bool base;
  };
  std::vector<Side> sides;
  auto pick = [&](std::unique_ptr<RunSetup> setup, bool base_side, const std::string& alloc_a,
                  const std::string& alloc_b) {
    Side side{std::move(setup), {}, base_side};
    std::set<std::string> seen;
    for (const Job& j : side.setup->jobs) {
      if (j.warmup) continue;
      if (one_file && j.allocator_name() != alloc_a && j.allocator_name() != alloc_b) continue;
      if (!suspects.count(stats::job_key(cell_of(j), !one_file))) continue;
      if (!seen.insert(j.key()).second) continue;
      side.jobs.push_back(j);
    }
    if (!side.jobs.empty()) sides.push_back(std::move(side));
  };
  if (one_file) {
    auto s = recorded_run(files[0]);
    if (!s) throw InputError(fmt::format("--confirm: no run.json next to {}: cannot re-run its jobs", files[0]));
    pick(std::move(s), true, in.base_alloc, in.cand_alloc);
  } else {
    auto b = recorded_run(files[0]);
    if (b)
      pick(std::move(b), true, "", "");
    else
      std::fprintf(stderr, "allocscope gate: no run.json next to %s: only the candidate is re-run\n", files[0].c_str());
    auto c = recorded_run(files[1]);
    if (!c) throw InputError(fmt::format("--confirm: no run.json next to {}: cannot re-run its jobs", files[1]));
    pick(std::move(c), false, "", "");
  }
  struct Item {
    Side* side;
    const Job* job;
  };
  std::vector<Item> cells;
  for (auto& s : sides)
    for (const auto& j : s.jobs) cells.push_back({&s, &j});
  std::mt19937_64 rng(0xc0ff1e);
  const int base_round0 = max_round(in.base_doc) + 1, cand_round0 = max_round(in.cand_doc) + 1;
  Progress progress(cells.size() * static_cast<size_t>(rounds), false);
  size_t added = 0;
  for (int round = 0; round < rounds && !g_stop_requested.load(); ++round) {
    std::shuffle(cells.begin(), cells.end(), rng);
    for (const auto& cell : cells) {
      Job job = *cell.job;
      job.round = (cell.side->base ? base_round0 : cand_round0) + round;
      progress.start("confirm " + job.label());
      RunRecord r = run_job(job, cell.side->setup->opt);
      progress.finish(r.status, r.metrics.number_or("wall_s", 0.0), r.reason);
      r.confirm = true;
      if (one_file) {
        in.base_doc.runs.push_back(r);
        in.cand_doc.runs.push_back(r);
      } else {
        (cell.side->base ? in.base_doc : in.cand_doc).runs.push_back(r);
      }
      ++added;
    }
  }
  progress.done();
  return added;
}

std::set<std::string> regressed_jobs(const stats::Comparison& c) {
  std::set<std::string> out;
  for (const auto& j : c.jobs)
    for (const auto& m : j.metrics)
      if (m.verdict == stats::Verdict::Regressed) {
        JobIdentity id;
        id.allocator = j.allocator;
        id.workload = j.workload;
        id.params = j.params;
        id.command = j.command;
        id.threads = j.threads;
        out.insert(stats::job_key(id, !j.allocator.empty()));
      }
  return out;
}

// The baseline of --history: the recent runs of every series on the host.
json history_baseline(const po::variables_map& vm) {
  std::vector<std::string> files;
  if (vm.count("files")) files = vm["files"].as<std::vector<std::string>>();
  if (files.size() != 1) throw InputError("--history: expected one results file, the candidate");
  const int k = vm["history-runs"].as<int>();
  if (k < 1 || k > 1000) throw InputError("--history-runs: expected 1 to 1000");
  std::string host = vm.count("host") ? vm["host"].as<std::string>() : "";
  if (host.empty()) host = load_results(results_path(files[0])).context.value("host", "");
  const std::string db = vm["history"].as<std::string>();
  if (!fs::exists(db)) throw InputError(fmt::format("--history {}: no such file", db));
  json base = History(db, false).baseline_doc(host, k);
  if (base["runs"].empty())
    throw InputError(fmt::format("--history {}: no runs of host '{}' stored (see --host)", db, host));
  std::fprintf(stderr, "allocscope gate: baseline: the last %d run(s) of each series on %s in %s (%zu records)\n", k,
               host.c_str(), db.c_str(), base["runs"].size());
  return base;
}

}  // namespace

int cmd_gate(const std::vector<std::string>& args) {
  po::options_description d("allocscope gate options");
  po::positional_options_description pos;
  d.add_options()("help,h", "show this help")(
      "confirm", po::value<int>()->default_value(0),
      "before failing, re-run the suspect jobs for N more rounds and decide on the combined data")(
      "confirm-out", po::value<std::string>(),
      "write the combined results (with the confirmation rounds) to this results.json");
  d.add_options()("history", po::value<std::string>(),
                  "baseline: the recent runs of each series in this history database (allocscope history), on "
                  "the candidate's host")("history-runs", po::value<int>()->default_value(5),
                                          "with --history: how many recent runs of each series")(
      "host", po::value<std::string>(),
      "with --history: the host whose runs are the baseline (default: the candidate's)");
  add_compare_options(d, pos);
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(d).positional(pos).run(), vm);
  if (vm.count("help")) {
    std::cout << "usage: allocscope gate BASE.json NEW.json [--threshold metric=PCT,...] [--confirm N] [--md FILE]\n"
                 "       allocscope gate RESULTS.json --baseline ALLOC --candidate ALLOC [options]\n"
                 "       allocscope gate --history DB NEW.json [--history-runs K] [options]\n\n"
                 "A regression gate for CI. The gated metrics are those with a threshold; defaults:\n"
                 "  ops_per_s=5%  peak_rss_bytes=10%  syscalls_total=0% (exact count)\n"
                 "--threshold adds metrics or overrides these ('metric=off' drops one).\n"
                 "A metric regressed when its change is worse than the threshold, the bootstrap 95% CI\n"
                 "of the ratio excludes 1, and the Mann-Whitney p < alpha (--rule ci: or, with 5+ rounds\n"
                 "per side, the whole CI beyond the threshold); exact counts: any change beyond it.\n"
                 "Needs 4+ rounds per side for time and memory verdicts. Rates: docs/gate.md.\n"
                 "--history DB: the baseline is the K most recent runs (--history-runs) of each series\n"
                 "on the candidate's host in that history (allocscope history add), their rounds pooled.\n"
                 "Exit status: 0 nothing regressed, 1 something regressed, 2 bad input.\n\n"
              << d;
    return 0;
  }
  po::notify(vm);
  json history_base = vm.count("history") ? history_baseline(vm) : json();
  CompareSetup s = read_compare_setup(vm, &gate_defaults(), vm.count("history") ? &history_base : nullptr);
  const int confirm_rounds = vm["confirm"].as<int>();
  if (confirm_rounds < 0 || confirm_rounds > 1000) throw InputError("--confirm: expected 0 to 1000 rounds");
  stats::Comparison c = stats::compare(s.input);
  size_t first_regressed = c.count(stats::Verdict::Regressed);
  if (first_regressed && confirm_rounds > 0) {
    auto suspects = regressed_jobs(c);
    std::fprintf(stderr, "allocscope gate: %zu regression(s) in %zu job(s); confirming with %d more round(s)\n",
                 first_regressed, suspects.size(), confirm_rounds);
    confirm(s.input, s.files, suspects, confirm_rounds);
    c = stats::compare(s.input);
    if (vm.count("confirm-out")) save_results(vm["confirm-out"].as<std::string>(), s.input.cand_doc);
  }
  std::cout << CompareText::render(c);
  if (!s.md_path.empty()) write_file_atomic(s.md_path, CompareMarkdown::render(c, "allocscope gate"));
  size_t regressed = c.count(stats::Verdict::Regressed);
  if (regressed) {
    std::fprintf(stderr, "allocscope gate: FAIL: %zu regression(s)%s\n", regressed,
                 first_regressed && confirm_rounds
                     ? fmt::format(" (confirmed; {} before confirmation)", first_regressed).c_str()
                     : "");
    return 1;
  }
  std::fprintf(
      stderr, "allocscope gate: pass%s\n",
      first_regressed ? fmt::format(" ({} suspect regression(s) not confirmed)", first_regressed).c_str() : "");
  return 0;
}

}  // namespace allocscope
