// allocscope history add|show|changes: a database of runs (SQLite), the
// series of a metric across runs, and the change points in those series.
#include <fmt/format.h>

#include <boost/program_options.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "common/input_error.hpp"
#include "harness/cli/commands.hpp"
#include "harness/cli/compare_inputs.hpp"
#include "harness/report/format.hpp"
#include "harness/results/history_changes.hpp"
#include "harness/results/metrics.hpp"
#include "harness/stats/estimators.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace allocscope {

namespace {

const char* kHistoryUsage =
    "usage: allocscope history add [DB] RESULTS.json [--label TEXT]\n"
    "       allocscope history show [DB] [--allocator A] [--workload W] [--metric M] [--host H] [--json]\n"
    "       allocscope history changes [DB] [--metric M] [--allocator A] [--workload W] [--json]\n\n"
    "A history of runs in an SQLite file (default results/history.db, git-ignored).\n"
    "  add      store a run (results.json or a run folder): its context, git revision,\n"
    "           host and every job's metrics, under a label (default: the run's date)\n"
    "  show     print the series of a metric (default ops_per_s): one per host,\n"
    "           allocator, workload, parameters and threads, one line per run\n"
    "  changes  find change points in every series (E-divisive means, permutation\n"
    "           test; docs/scale-out.md): the label of the first run after each change,\n"
    "           regression or improvement (by the metric's direction), and the ratio of\n"
    "           the mean after to the mean before. Each run counts once (the median of\n"
    "           its rounds); runs are in the order they were added.\n"
    "Exit status: 0 done, 2 bad input.\n";

po::options_description filter_options() {
  po::options_description d("options");
  d.add_options()("help,h", "show this help")("allocator", po::value<std::string>()->default_value(""),
                                              "only this allocator")(
      "workload", po::value<std::string>()->default_value(""), "only this workload")(
      "host", po::value<std::string>()->default_value(""), "only runs on this host")(
      "threads", po::value<int>(), "only this thread count")("json", po::bool_switch(), "print JSON");
  return d;
}

struct Parsed {
  po::variables_map vm;
  std::vector<std::string> positional;
};

Parsed parse(const std::vector<std::string>& args, const po::options_description& d) {
  Parsed p;
  po::options_description all(d);
  all.add_options()("positional", po::value<std::vector<std::string>>());
  po::positional_options_description pos;
  pos.add("positional", -1);
  po::store(po::command_line_parser(args).options(all).positional(pos).run(), p.vm);
  po::notify(p.vm);
  if (p.vm.count("positional")) p.positional = p.vm["positional"].as<std::vector<std::string>>();
  return p;
}

// The database of a show/changes command: the one positional argument, or the default.
std::string db_path(const Parsed& p) {
  if (p.positional.size() > 1) throw InputError("expected at most one database file");
  std::string db = p.positional.empty() ? kDefaultHistoryPath : p.positional[0];
  if (!fs::exists(db))
    throw InputError(fmt::format("history database {}: no such file ('history add' creates it)", db));
  return db;
}

SeriesFilter read_filter(const po::variables_map& vm, const std::string& metric) {
  SeriesFilter f;
  f.allocator = vm["allocator"].as<std::string>();
  f.workload = vm["workload"].as<std::string>();
  f.host = vm["host"].as<std::string>();
  f.metric = metric;
  if (vm.count("threads")) f.threads = vm["threads"].as<int>();
  return f;
}

std::string series_title(const SeriesKey& k) {
  return fmt::format("{} {} {} threads={} host={}", k.allocator, k.workload, k.params == "{}" ? "" : k.params,
                     k.threads, k.host);
}

int history_add(const std::vector<std::string>& args) {
  po::options_description d("options");
  d.add_options()("help,h", "show this help")("label", po::value<std::string>(),
                                              "name of this run in the history (default: the run's date)")(
      "allow-duplicate", po::bool_switch(), "add results that are already stored");
  Parsed p = parse(args, d);
  if (p.vm.count("help")) return std::cout << kHistoryUsage << "\n" << d, 0;
  if (p.positional.empty() || p.positional.size() > 2)
    throw InputError("history add: expected [DB] RESULTS.json (see 'allocscope history --help')");
  std::string db = p.positional.size() == 2 ? p.positional[0] : kDefaultHistoryPath;
  std::string file = results_path(p.positional.back());
  json doc = to_json(load_results(file));  // the history store reads the JSON form
  std::string label = p.vm.count("label") ? p.vm["label"].as<std::string>() : "";
  if (label.empty()) label = doc["context"].value("date", file);
  if (auto parent = fs::path(db).parent_path(); !parent.empty()) fs::create_directories(parent);
  History h(db, true);
  AddedRun added = h.add(doc, label, file, p.vm["allow-duplicate"].as<bool>());
  std::fprintf(stderr, "allocscope history: added '%s' (%zu jobs, %zu values) to %s: %zu runs stored\n", label.c_str(),
               added.jobs, added.values, db.c_str(), h.run_count());
  return 0;
}

int history_show(const std::vector<std::string>& args) {
  po::options_description d = filter_options();
  d.add_options()("metric", po::value<std::string>()->default_value("ops_per_s"), "the metric");
  Parsed p = parse(args, d);
  if (p.vm.count("help")) return std::cout << kHistoryUsage << "\n" << d, 0;
  History h(db_path(p), false);
  const std::string metric = p.vm["metric"].as<std::string>();
  auto series = h.series(read_filter(p.vm, metric));
  const MetricDef* def = find_metric(metric.substr(0, metric.find('.')));
  const std::string unit = def ? def->unit : "";
  json out = json::array();
  for (const auto& s : series) {
    json points = json::array();
    if (!p.vm["json"].as<bool>()) std::cout << series_title(s.key) << "  " << metric << "\n";
    for (const auto& pt : s.points) {
      double v = point_value(pt);
      points.push_back({{"label", pt.label}, {"git_revision", pt.git_revision}, {"value", v}, {"rounds", pt.values}});
      if (!p.vm["json"].as<bool>())
        std::cout << fmt::format("  {:<24} {:<10} {:>14}  ({} round{})\n", pt.label, pt.git_revision,
                                 format_value(v, unit), pt.values.size(), pt.values.size() == 1 ? "" : "s");
    }
    out.push_back({{"allocator", s.key.allocator},
                   {"workload", s.key.workload},
                   {"params", json::parse(s.key.params)},
                   {"threads", s.key.threads},
                   {"host", s.key.host},
                   {"metric", metric},
                   {"points", points}});
  }
  if (p.vm["json"].as<bool>()) std::cout << out.dump(1) << "\n";
  if (series.empty()) std::fprintf(stderr, "allocscope history: no series of %s match\n", metric.c_str());
  return 0;
}

stats::ChangePointOptions read_change_options(const po::variables_map& vm) {
  stats::ChangePointOptions o;
  o.alpha = vm["alpha"].as<double>();
  if (!(o.alpha > 0 && o.alpha < 1)) throw InputError("--alpha: expected a number between 0 and 1");
  o.permutations = vm["permutations"].as<int>();
  if (o.permutations < 99 || o.permutations > 100000) throw InputError("--permutations: expected 99 to 100000");
  std::string mc = vm["min-change"].as<std::string>();
  if (!mc.empty() && mc.back() == '%') mc.pop_back();
  char* end = nullptr;
  double pct = std::strtod(mc.c_str(), &end);
  if (mc.empty() || *end || !(pct >= 0 && pct < 1000))
    throw InputError("--min-change: expected a percentage, e.g. 10%");
  o.min_change = pct / 100;
  return o;
}

// The metrics examined by `changes`: the given one, or every stored metric
// that has a direction.
std::vector<std::string> change_metrics(const History& h, const po::variables_map& vm) {
  if (vm.count("metric")) return {vm["metric"].as<std::string>()};
  std::vector<std::string> out;
  for (const auto& name : h.metric_names()) {
    const MetricDef* def = find_metric(name.substr(0, name.find('.')));
    if (def && def->cls != MetricClass::Info && def->direction != Direction::None) out.push_back(name);
  }
  return out;
}

int history_changes(const std::vector<std::string>& args) {
  po::options_description d = filter_options();
  d.add_options()("metric", po::value<std::string>(), "the metric (default: every metric with a direction)")(
      "alpha", po::value<double>()->default_value(0.01), "significance of each change (permutation test)")(
      "min-change", po::value<std::string>()->default_value("10%"), "smallest change reported")(
      "permutations", po::value<int>()->default_value(999), "permutations per test");
  Parsed p = parse(args, d);
  if (p.vm.count("help")) return std::cout << kHistoryUsage << "\n" << d, 0;
  History h(db_path(p), false);
  auto opt = read_change_options(p.vm);
  std::vector<SeriesChange> changes;
  size_t n_series = 0;
  for (const auto& metric : change_metrics(h, p.vm)) {
    auto series = h.series(read_filter(p.vm, metric));
    n_series += series.size();
    for (auto& c : find_changes(series, opt)) changes.push_back(std::move(c));
  }
  if (p.vm["json"].as<bool>()) {
    json out = json::array();
    for (const auto& c : changes) out.push_back(to_json(c));
    std::cout << out.dump(1) << "\n";
    return 0;
  }
  for (const auto& c : changes)
    std::cout << fmt::format("{:<11} at {:<16} {:<14} {} ({} -> {}, p={})  {}\n", c.direction, c.label, c.metric,
                             format_change(c.ratio), c.before, c.after, format_p(c.p), series_title(c.key));
  std::fprintf(stderr, "allocscope history: %zu change(s) in %zu series\n", changes.size(), n_series);
  return 0;
}

}  // namespace

int cmd_history(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::fputs(kHistoryUsage, args.empty() ? stderr : stdout);
    return args.empty() ? kExitBadInput : 0;
  }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "add") return history_add(rest);
  if (args[0] == "show") return history_show(rest);
  if (args[0] == "changes") return history_changes(rest);
  throw InputError(fmt::format("history: unknown action '{}' (expected add, show or changes)", args[0]));
}

}  // namespace allocscope
