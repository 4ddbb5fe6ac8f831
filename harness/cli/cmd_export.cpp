// allocscope export: results in other tools' formats (Google Benchmark JSON,
// CSV, Bencher Metric Format, github-action-benchmark).
#include <fmt/format.h>

#include <boost/program_options.hpp>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "commands.hpp"
#include "compare_inputs.hpp"
#include "input_error.hpp"
#include "report/exports.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace allocscope {

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
    std::cout << "usage: allocscope export RESULTS.json --format gbench|csv|bmf|gab --out PATH\n\n"
                 "  gbench  Google Benchmark JSON, OUT/ALLOC.json per allocator, one iteration row per round\n"
                 "          (iterations = ops, real_time = window ns/op, cpu_time = process CPU ns/op,\n"
                 "          metrics as counters); compare two allocators with Google Benchmark's\n"
                 "          tools/compare.py benchmarks OUT/glibc.json OUT/jemalloc.json\n"
                 "  csv     one row per run and metric\n"
                 "  bmf     Bencher Metric Format {bench: {metric: {value, lower_value, upper_value}}}\n"
                 "  gab     github-action-benchmark custom JSON: OUT/bigger-is-better.json and\n"
                 "          OUT/smaller-is-better.json\n\n"
              << d;
    return 0;
  }
  po::notify(vm);
  if (!vm.count("results") || !vm.count("format") || !vm.count("out"))
    throw InputError("expected RESULTS.json --format gbench|csv|bmf|gab --out PATH");
  json doc = load_results(results_path(vm["results"].as<std::string>()));
  std::string format = vm["format"].as<std::string>(), out = vm["out"].as<std::string>();
  ExportOptions opt;
  if (vm.count("metrics")) {
    std::stringstream ss(vm["metrics"].as<std::string>());
    for (std::string m; std::getline(ss, m, ',');) {
      if (!find_metric(m)) throw InputError(fmt::format("--metrics: unknown metric '{}'", m));
      opt.metrics.push_back(m);
    }
  }
  ExportFiles files;
  bool to_dir = false;
  if (format == "gbench")
    files = GbenchExport::render(doc, opt), to_dir = true;
  else if (format == "csv")
    files = CsvExport::render(doc, opt);
  else if (format == "bmf")
    files = BmfExport::render(doc, opt);
  else if (format == "gab")
    files = GabExport::render(doc, opt), to_dir = true;
  else
    throw InputError(fmt::format("--format '{}': expected gbench, csv, bmf or gab", format));
  if (to_dir) {
    std::error_code ec;
    fs::create_directories(out, ec);
    if (ec) throw InputError(fmt::format("--out {}: cannot create the folder: {}", out, ec.message()));
  }
  for (const auto& [name, text] : files) {
    std::string path = name.empty() ? out : out + "/" + name;
    write_file_atomic(path, text);
    std::cerr << "allocscope export: wrote " << path << "\n";
  }
  return 0;
}

}  // namespace allocscope
