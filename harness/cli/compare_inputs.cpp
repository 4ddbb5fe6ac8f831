#include "harness/cli/compare_inputs.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <filesystem>
#include <sstream>

#include "common/input_error.hpp"
#include "harness/results/run_dir.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace allocscope {

void add_compare_options(po::options_description& d, po::positional_options_description& pos) {
  d.add_options()("files", po::value<std::vector<std::string>>()->composing(),
                  "BASE.json NEW.json, or RESULTS.json with --baseline/--candidate")(
      "baseline,b", po::value<std::string>(), "one-file mode: the baseline allocator")(
      "candidate,c", po::value<std::string>(), "one-file mode: the candidate allocator")(
      "metrics,m", po::value<std::string>(),
      "comma-separated metrics to compare, or 'all' (every metric with a direction)")(
      "threshold", po::value<std::vector<std::string>>()->composing(),
      "metric=PCT[,metric=PCT]: change beyond which a verdict is given; PCT as 5%, 'exact' (0%) or 'off'; repeatable")(
      "alpha", po::value<double>()->default_value(0.05), "significance level of the Mann-Whitney test")(
      "rule", po::value<std::string>()->default_value("strict"),
      "strict: a change needs its CI to exclude 1 and p < alpha; ci: or (5+ rounds per side) a CI wholly beyond the "
      "threshold (more detections and false alarms: docs/gate.md)")("resamples", po::value<int>()->default_value(2000),
                                                                    "bootstrap resamples")(
      "seed", po::value<uint64_t>()->default_value(0x616c6c6f63ULL),
      "bootstrap seed (results are deterministic for a seed)")(
      "md", po::value<std::string>(), "also write Markdown (for a pull-request comment) to FILE");
  pos.add("files", 2);
}

std::map<std::string, double> parse_thresholds(const std::vector<std::string>& specs) {
  std::map<std::string, double> out;
  for (const auto& spec : specs) {
    std::stringstream ss(spec);
    for (std::string item; std::getline(ss, item, ',');) {
      auto eq = item.find('=');
      if (eq == std::string::npos || eq == 0)
        throw InputError(fmt::format("--threshold '{}': expected metric=PCT (e.g. ops_per_s=5%)", item));
      std::string name = item.substr(0, eq), val = item.substr(eq + 1);
      const MetricDef* def = find_metric(name);
      if (!def || def->cls == MetricClass::Info || def->direction == Direction::None) {
        std::vector<std::string> valid;
        for (const auto& d : metric_defs())
          if (d.cls != MetricClass::Info && d.direction != Direction::None) valid.push_back(d.name);
        throw InputError(
            fmt::format("--threshold: '{}' is not a comparable metric; valid: {}", name, fmt::join(valid, ", ")));
      }
      if (val == "off") {
        out[name] = NAN;
        continue;
      }
      if (val == "exact") {
        out[name] = 0;
        continue;
      }
      if (!val.empty() && val.back() == '%') val.pop_back();
      char* end = nullptr;
      double pct = std::strtod(val.c_str(), &end);
      if (val.empty() || *end != '\0' || !(pct >= 0) || pct > 1000)
        throw InputError(fmt::format("--threshold '{}': expected a percentage such as 5%, 'exact' or 'off'", item));
      out[name] = pct / 100;
    }
  }
  return out;
}

std::string results_path(const std::string& p) {
  return RunDir::results_file_of(p);
}

CompareSetup read_compare_setup(const po::variables_map& vm, const std::map<std::string, double>* gate_defaults,
                                const json* history_base) {
  CompareSetup s;
  std::vector<std::string> files;
  if (vm.count("files")) files = vm["files"].as<std::vector<std::string>>();
  if (history_base) {
    if (files.size() != 1 || vm.count("baseline") || vm.count("candidate"))
      throw InputError("--history: expected one results file, the candidate (no --baseline/--candidate)");
    s.files = {history_base->at("context").value("history", std::string()), results_path(files[0])};
    s.input.base_doc = results_from_json(*history_base, s.files[0]);
    s.input.cand_doc = load_results(s.files[1]);
    s.input.base_name = "history " + s.files[0];
    s.input.cand_name = s.files[1];
    files.clear();
  }
  bool one_file = vm.count("baseline") || vm.count("candidate");
  if (one_file && (!vm.count("baseline") || !vm.count("candidate")))
    throw InputError("--baseline and --candidate go together (one results file, two allocators)");
  if (!history_base && (one_file ? files.size() != 1 : files.size() != 2))
    throw InputError(one_file ? "expected one results file with --baseline/--candidate"
                              : "expected BASE.json NEW.json, or one results file with --baseline A --candidate B");
  for (auto& f : files) s.files.push_back(results_path(f));
  auto& in = s.input;
  if (!history_base) in.base_doc = load_results(s.files[0]);
  if (history_base) {
    // base and candidate are set above
  } else if (one_file) {
    in.cand_doc = in.base_doc;
    in.base_alloc = vm["baseline"].as<std::string>();
    in.cand_alloc = vm["candidate"].as<std::string>();
    in.base_name = in.base_alloc;
    in.cand_name = in.cand_alloc;
  } else {
    in.cand_doc = load_results(s.files[1]);
    in.base_name = s.files[0];
    in.cand_name = s.files[1];
  }
  std::map<std::string, double> given;
  if (vm.count("threshold")) given = parse_thresholds(vm["threshold"].as<std::vector<std::string>>());
  if (gate_defaults) {
    std::map<std::string, double> th = *gate_defaults;
    for (const auto& [k, v] : given) th[k] = v;
    for (const auto& [k, v] : th)
      if (!std::isnan(v)) in.thresholds[k] = v, in.metrics.push_back(k);
    if (vm.count("metrics")) throw InputError("gate: the gated metrics are those with a --threshold (no --metrics)");
    if (in.metrics.empty()) throw InputError("gate: every threshold is off: nothing to gate");
  } else {
    for (const auto& [k, v] : given)
      if (!std::isnan(v)) in.thresholds[k] = v;
    std::string list = vm.count("metrics") ? vm["metrics"].as<std::string>() : "";
    if (list == "all") {
      for (const auto& d : metric_defs())
        if (d.cls != MetricClass::Info && d.direction != Direction::None) in.metrics.push_back(d.name);
      for (const auto& d : declared_metrics()) in.metrics.push_back(d.name);  // e.g. --metric-from-output
    } else if (!list.empty()) {
      std::stringstream ss(list);
      for (std::string m; std::getline(ss, m, ',');) {
        const MetricDef* d = find_metric(m);
        if (!d || d->cls == MetricClass::Info)
          throw InputError(
              fmt::format("--metrics: '{}' is not a comparable metric (see 'allocscope list metrics')", m));
        in.metrics.push_back(m);
      }
    } else {
      in.metrics = stats::default_compare_metrics();
    }
  }
  in.rules.alpha = vm["alpha"].as<double>();
  if (!(in.rules.alpha > 0 && in.rules.alpha < 1)) throw InputError("--alpha: expected a number between 0 and 1");
  const std::string rule = vm["rule"].as<std::string>();
  if (rule != "strict" && rule != "ci") throw InputError(fmt::format("--rule '{}': expected strict or ci", rule));
  in.rules.ci_alone = rule == "ci";
  in.rules.bootstrap.resamples = vm["resamples"].as<int>();
  if (in.rules.bootstrap.resamples < 100) throw InputError("--resamples: expected 100 or more");
  in.rules.bootstrap.seed = vm["seed"].as<uint64_t>();
  if (vm.count("md")) s.md_path = vm["md"].as<std::string>();
  return s;
}

}  // namespace allocscope
