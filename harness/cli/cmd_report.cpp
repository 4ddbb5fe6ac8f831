// allocscope report: DIR/report.md and a self-contained DIR/report.html, with
// charts drawn by scripts/plot_report.py (matplotlib) into DIR/charts.
#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "common/input_error.hpp"
#include "harness/cli/commands.hpp"
#include "harness/cli/compare_inputs.hpp"
#include "harness/report/report_model.hpp"

#ifndef ALLOCSCOPE_SOURCE_DIR
#define ALLOCSCOPE_SOURCE_DIR "."
#endif

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace allocscope {

namespace {

// Runs the plotting script; returns the chart files it wrote, or sets `why`.
std::vector<std::string> draw_charts(const std::string& python, const std::string& script, const std::string& data,
                                     const std::string& charts_dir, std::string* why) {
  if (::access(python.c_str(), X_OK) != 0) {
    *why = python + " is missing";
    return {};
  }
  if (::access(script.c_str(), R_OK) != 0) {
    *why = script + " is missing";
    return {};
  }
  std::string cmd = fmt::format("'{}' '{}' --data '{}' --out '{}'", python, script, data, charts_dir);
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) {
    *why = "cannot start " + python;
    return {};
  }
  std::vector<std::string> files;
  char line[512];
  while (std::fgets(line, sizeof line, p)) {
    std::string s(line);
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    if (!s.empty() && s.find('/') == std::string::npos) files.push_back(s);
  }
  int st = ::pclose(p);
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
    *why = fmt::format("{} failed (exit status {}); is python3-matplotlib installed?", script,
                       WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    return {};
  }
  return files;
}

}  // namespace

int cmd_report(const std::vector<std::string>& args) {
  po::options_description d("allocscope report options");
  po::positional_options_description pos;
  d.add_options()("help,h", "show this help")("results", po::value<std::string>(), "results.json or a run folder")(
      "out,o", po::value<std::string>(), "output folder: report.md, report.html, charts/, report-data.json")(
      "reference", po::value<std::string>(), "allocator the others are normalised to (default glibc, else the first)")(
      "python", po::value<std::string>()->default_value("/usr/bin/python3"), "Python with matplotlib for the charts")(
      "no-charts", po::bool_switch(), "tables only");
  pos.add("results", 1);
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(d).positional(pos).run(), vm);
  if (vm.count("help")) {
    std::cout << "usage: allocscope report RESULTS.json --out DIR [--reference ALLOC]\n\n"
                 "Writes DIR/report.md (charts linked from DIR/charts) and DIR/report.html (charts\n"
                 "embedded; opens offline). Charts: throughput and peak RSS relative to the reference\n"
                 "with 95% CI whiskers, RSS over time, thread scaling, page faults and syscalls,\n"
                 "fragmentation. They are drawn by scripts/plot_report.py with matplotlib.\n\n"
              << d;
    return 0;
  }
  po::notify(vm);
  if (!vm.count("results") || !vm.count("out")) throw InputError("expected RESULTS.json --out DIR");
  std::string path = results_path(vm["results"].as<std::string>()), out = vm["out"].as<std::string>();
  Results doc = load_results(path);
  std::string reference = vm.count("reference") ? vm["reference"].as<std::string>() : "";
  if (!reference.empty()) {
    bool found = false;
    for (const auto& r : doc.runs) found |= r.job.allocator == reference;
    if (!found) throw InputError(fmt::format("--reference {}: no runs of that allocator in {}", reference, path));
  }
  if (doc.runs.empty()) throw InputError(path + ": no runs to report");
  std::error_code ec;
  fs::create_directories(out + "/charts", ec);
  if (ec) throw InputError(fmt::format("--out {}: cannot create the folder: {}", out, ec.message()));
  json chart_data;
  ReportModel model = build_report_model(doc, reference, &chart_data);
  write_file_atomic(out + "/report-data.json", chart_data.dump(1) + "\n");
  std::vector<std::string> charts;
  std::string why = "--no-charts";
  if (!vm["no-charts"].as<bool>()) {
    const char* env = std::getenv("ALLOCSCOPE_PLOT_SCRIPT");
    std::string script = env ? env : std::string(ALLOCSCOPE_SOURCE_DIR) + "/scripts/plot_report.py";
    charts = draw_charts(vm["python"].as<std::string>(), script, out + "/report-data.json", out + "/charts", &why);
    if (charts.empty()) std::fprintf(stderr, "allocscope report: no charts: %s\n", why.c_str());
  }
  add_charts(model, charts, why);
  write_file_atomic(out + "/report.md", MarkdownReport::render(model, "charts"));
  write_file_atomic(out + "/report.html", HtmlReport::render(model, out + "/charts"));
  std::fprintf(stderr, "allocscope report: wrote %s/report.md and %s/report.html (%zu charts)\n", out.c_str(),
               out.c_str(), charts.size());
  return 0;
}

}  // namespace allocscope
