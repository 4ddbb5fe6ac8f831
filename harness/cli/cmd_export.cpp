// allocscope export: results in other tools' formats (Google Benchmark JSON,
// CSV, Bencher Metric Format, github-action-benchmark).
#include <fmt/format.h>

#include <boost/program_options.hpp>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "common/input_error.hpp"
#include "harness/cli/commands.hpp"
#include "harness/cli/compare_inputs.hpp"
#include "harness/report/console.hpp"
#include "harness/report/exports.hpp"
#include "harness/results/metrics.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace allocscope {

namespace {

void print_export_help(const po::options_description& d) {
  std::string formats;
  for (const auto& f : export_formats()) {
    std::string help = f.help;
    for (size_t at = help.find('\n'); at != std::string::npos; at = help.find('\n', at + 1))
      help.replace(at, 1, "\n          ");
    formats += fmt::format("  {:<7} {}\n", f.name, help);
  }
  std::cout << "usage: allocscope export RESULTS.json --format FORMAT --out PATH\n\n" << formats << "\n" << d;
}

std::vector<std::string> parse_metric_list(const std::string& csv) {
  std::vector<std::string> out;
  std::stringstream ss(csv);
  for (std::string m; std::getline(ss, m, ',');) {
    if (!find_metric(m)) throw InputError(fmt::format("--metrics: unknown metric '{}'", m));
    out.push_back(m);
  }
  return out;
}

}  // namespace

int cmd_export(const std::vector<std::string>& args) {
  po::options_description d("allocscope export options");
  po::positional_options_description pos;
  d.add_options()("help,h", "show this help")("results", po::value<std::string>(), "results.json or a run folder")(
      "format,f", po::value<std::string>(), "gbench | csv | bmf | gab")(
      "out,o", po::value<std::string>(), "gbench, gab: a folder (created); csv, bmf: a file")(
      "metrics,m", po::value<std::string>(), "bmf, gab: comma-separated metrics (default: the compare defaults)");
  pos.add("results", 1);
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(d).positional(pos).run(), vm);
  if (vm.count("help")) {
    print_export_help(d);
    return 0;
  }
  po::notify(vm);
  if (!vm.count("results") || !vm.count("format") || !vm.count("out"))
    throw InputError("expected RESULTS.json --format gbench|csv|bmf|gab --out PATH");
  const Results doc = load_results(results_path(vm["results"].as<std::string>()));
  const ExportFormat& format = export_format(vm["format"].as<std::string>());
  ExportOptions opt;
  if (vm.count("metrics")) opt.metrics = parse_metric_list(vm["metrics"].as<std::string>());
  for (const auto& path : write_export(format, doc, opt, vm["out"].as<std::string>()))
    note("allocscope export: wrote {}", path);
  return 0;
}

}  // namespace allocscope
