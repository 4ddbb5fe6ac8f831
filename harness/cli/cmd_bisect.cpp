// allocscope bisect --good REV --bad REV -- COMMAND: finds the first commit
// with the performance of the bad one. COMMAND builds and measures the
// commit checked out in a scratch worktree and prints the measurement.
#include <fmt/format.h>
#include <stdlib.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "common/input_error.hpp"
#include "harness/cli/commands.hpp"
#include "harness/cluster/bisect.hpp"
#include "harness/cluster/command.hpp"
#include "harness/results/results_io.hpp"
#include "harness/stats/estimators.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace allocscope {

namespace {

const char* kBisectUsage =
    "usage: allocscope bisect --good REV --bad REV [options] -- COMMAND [ARGS...]\n\n"
    "Finds the first commit between REV..REV whose measurement is like the bad one's.\n"
    "Each commit is checked out in a scratch git worktree and COMMAND runs there (with\n"
    "ALLOCSCOPE_BISECT_REV set): it builds and measures, and prints the measurement as\n"
    "the last line of its output (or, with --results FILE --metric M, leaves a\n"
    "results.json whose ok rounds' mean of M is the measurement). The good and bad\n"
    "commits are measured until they differ (Mann-Whitney p < alpha); each midpoint\n"
    "until it is significantly unlike one of them, at most --max-rounds times.\n"
    "Exit status: 0 first bad commit found, every step significant; 1 found, but some\n"
    "step stayed undecided (it went to the closer end; printed); 2 bad input, COMMAND\n"
    "failed, or good and bad do not differ.\n";

struct Workspace {
  std::string repo, dir;
  ~Workspace() {
    if (!dir.empty()) cluster::run_command({"git", "-C", repo, "worktree", "remove", "--force", dir});
  }
};

std::string git(const std::string& repo, const std::vector<std::string>& args) {
  std::vector<std::string> argv{"git", "-C", repo};
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = cluster::run_command(argv);
  if (r.status != 0) throw InputError(fmt::format("git {}: {}", args[0], r.err.empty() ? r.out : r.err));
  while (!r.out.empty() && (r.out.back() == '\n' || r.out.back() == ' ')) r.out.pop_back();
  return r.out;
}

// The good commit, then every commit after it up to the bad one (oldest first).
std::vector<std::string> commit_range(const std::string& repo, const std::string& good, const std::string& bad) {
  std::string g = git(repo, {"rev-parse", "--verify", good + "^{commit}"});
  std::string b = git(repo, {"rev-parse", "--verify", bad + "^{commit}"});
  std::vector<std::string> revs{g};
  std::istringstream in(git(repo, {"rev-list", "--reverse", "--ancestry-path", g + ".." + b}));
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) revs.push_back(line);
  if (revs.size() < 2 || revs.back() != b)
    throw InputError(fmt::format("--good {} is not an ancestor of --bad {}", good, bad));
  return revs;
}

double parse_measurement(const std::string& out, const std::string& rev) {
  std::istringstream in(out);
  std::string last;
  for (std::string line; std::getline(in, line);)
    if (line.find_first_not_of(" \t\r") != std::string::npos) last = line;
  char* end = nullptr;
  double v = std::strtod(last.c_str(), &end);
  while (end && (*end == ' ' || *end == '\t' || *end == '\r')) ++end;
  if (last.empty() || *end != '\0' || !(v > 0) || !std::isfinite(v))
    throw InputError(
        fmt::format("commit {}: the command's last line '{}' is not a positive number", rev.substr(0, 12), last));
  return v;
}

double metric_mean(const std::string& file, const std::string& metric, const std::string& rev) {
  json doc = to_json(load_results(file));  // the history store reads the JSON form
  std::vector<double> v;
  for (const auto& r : doc["runs"])
    if (r.value("status", "") == "ok" && !r.value("warmup", false) && r["metrics"].contains(metric))
      v.push_back(r["metrics"][metric].get<double>());
  if (v.empty()) throw InputError(fmt::format("commit {}: no ok round in {} has {}", rev.substr(0, 12), file, metric));
  return stats::mean(v);
}

}  // namespace

int cmd_bisect(const std::vector<std::string>& all_args) {
  auto dashdash = std::find(all_args.begin(), all_args.end(), "--");
  std::vector<std::string> args(all_args.begin(), dashdash), command;
  if (dashdash != all_args.end()) command.assign(dashdash + 1, all_args.end());
  po::options_description d("allocscope bisect options");
  d.add_options()("help,h", "show this help")("good", po::value<std::string>(), "a commit with the old performance")(
      "bad", po::value<std::string>(), "a later commit with the new performance")(
      "repo", po::value<std::string>()->default_value("."), "the git repository")(
      "results", po::value<std::string>(), "read the measurement from this results.json (relative to the worktree)")(
      "metric", po::value<std::string>()->default_value("ops_per_s"), "with --results: the metric")(
      "alpha", po::value<double>()->default_value(0.05), "significance of each verdict")(
      "min-rounds", po::value<int>()->default_value(4), "measurements of a commit before its first verdict")(
      "max-rounds", po::value<int>()->default_value(12), "the budget of measurements per commit")(
      "json", po::bool_switch(), "print the result as JSON");
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(d).run(), vm);
  if (vm.count("help")) return std::cout << kBisectUsage << "\n" << d, 0;
  po::notify(vm);
  if (!vm.count("good") || !vm.count("bad")) throw InputError("bisect: --good REV and --bad REV are required");
  if (command.empty()) throw InputError("bisect: no command: add -- COMMAND [ARGS...]");
  cluster::BisectOptions opt;
  opt.alpha = vm["alpha"].as<double>();
  opt.min_rounds = vm["min-rounds"].as<int>();
  opt.max_rounds = vm["max-rounds"].as<int>();
  if (!(opt.alpha > 0 && opt.alpha < 1)) throw InputError("--alpha: expected a number between 0 and 1");
  if (opt.min_rounds < 2 || opt.max_rounds < opt.min_rounds || opt.max_rounds > 1000)
    throw InputError("--min-rounds/--max-rounds: expected 2 <= min <= max <= 1000");

  const std::string repo = vm["repo"].as<std::string>();
  auto revs = commit_range(repo, vm["good"].as<std::string>(), vm["bad"].as<std::string>());
  Workspace ws{repo, ""};
  char tmpl[] = "/tmp/allocscope-bisect-XXXXXX";
  if (!mkdtemp(tmpl)) throw std::runtime_error("cannot create a scratch folder in /tmp");
  fs::remove(tmpl);
  git(repo, {"worktree", "add", "--detach", "--quiet", tmpl, revs.front()});
  ws.dir = tmpl;
  std::string checked_out = revs.front();
  size_t measurements = 0;
  auto measure = [&](const std::string& rev) {
    if (rev != checked_out) {
      git(ws.dir, {"checkout", "--quiet", "--detach", rev});
      checked_out = rev;
    }
    auto r = cluster::run_command(command, ws.dir, {"ALLOCSCOPE_BISECT_REV=" + rev}, true);
    if (r.status != 0)
      throw InputError(fmt::format("commit {}: the command failed with status {}", rev.substr(0, 12), r.status));
    ++measurements;
    return vm.count("results")
               ? metric_mean(ws.dir + "/" + vm["results"].as<std::string>(), vm["metric"].as<std::string>(), rev)
               : parse_measurement(r.out, rev);
  };
  std::fprintf(stderr, "allocscope bisect: %zu commits after the good one\n", revs.size() - 1);
  cluster::BisectResult res;
  try {
    res = cluster::bisect(revs, measure, opt, [](const cluster::BisectStep& s) {
      std::fprintf(stderr, "allocscope bisect: %s: %s (median %.6g of %zu, p vs good %.3g, vs bad %.3g)\n",
                   s.rev.substr(0, 12).c_str(), cluster::to_string(s.verdict), stats::median(s.values), s.values.size(),
                   s.p_vs_good, s.p_vs_bad);
    });
  } catch (const std::runtime_error& e) {
    throw InputError(e.what());
  }
  const std::string subject = git(repo, {"log", "-1", "--format=%h %s", res.first_bad});
  if (vm["json"].as<bool>()) {
    json steps = json::array();
    for (const auto& s : res.steps)
      steps.push_back({{"rev", s.rev}, {"verdict", cluster::to_string(s.verdict)}, {"values", s.values}});
    std::cout << json{{"first_bad", res.first_bad},   {"subject", subject},
                      {"certain", res.certain},       {"good_values", res.good_values},
                      {"bad_values", res.bad_values}, {"p_ends", res.p_ends},
                      {"measurements", measurements}, {"steps", steps}}
                     .dump(1)
              << "\n";
  } else {
    std::cout << "first bad commit: " << res.first_bad << "\n  " << subject << "\n";
  }
  std::fprintf(stderr, "allocscope bisect: %zu measurements%s\n", measurements,
               res.certain ? "" : "; some step was not significant (see above): the answer may be wrong");
  return res.certain ? 0 : 1;
}

}  // namespace allocscope
