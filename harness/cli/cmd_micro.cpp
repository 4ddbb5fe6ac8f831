// allocscope micro: runs the Google Benchmark binary allocscope-micro once
// per allocator (LD_PRELOAD, through the launcher) and merges its JSON output
// into DIR/results.json: one run record per benchmark (and repetition) per
// allocator, workload "micro/<benchmark name>", with real_time_ns,
// cpu_time_ns and the counters as metrics and the Google Benchmark fields
// kept untouched under "gbench".
#include <fmt/chrono.h>
#include <fmt/format.h>

#include <boost/program_options.hpp>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "common/input_error.hpp"
#include "harness/cli/allocator_selection.hpp"
#include "harness/cli/child_tool.hpp"
#include "harness/cli/commands.hpp"
#include "harness/probes/proc.hpp"
#include "harness/report/console.hpp"
#include "harness/report/progress.hpp"
#include "harness/results/results_io.hpp"
#include "harness/results/run_dir.hpp"
#include "harness/runner/launcher.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace allocscope {

namespace {

double to_ns(double v, const std::string& unit) {
  if (unit == "us") return v * 1e3;
  if (unit == "ms") return v * 1e6;
  if (unit == "s") return v * 1e9;
  return v;  // "ns"
}

// Google Benchmark's fields that are not counters.
bool is_gbench_field(const std::string& k) {
  static const char* fields[] = {"name",
                                 "family_index",
                                 "per_family_instance_index",
                                 "run_name",
                                 "run_type",
                                 "repetitions",
                                 "repetition_index",
                                 "threads",
                                 "iterations",
                                 "real_time",
                                 "cpu_time",
                                 "time_unit",
                                 "aggregate_name",
                                 "aggregate_unit",
                                 "error_occurred",
                                 "error_message",
                                 "label"};
  for (const char* f : fields)
    if (k == f) return true;
  return false;
}

JobIdentity micro_job(size_t index, const std::string& allocator, const std::string& workload) {
  JobIdentity id;
  id.index = index;
  id.allocator = allocator;
  id.workload = workload;
  return id;
}

// Run records for one allocator's benchmark output.
std::vector<RunRecord> records_from(const json& out, const std::string& allocator, size_t* index) {
  std::vector<RunRecord> runs;
  for (const auto& b : out.value("benchmarks", json::array())) {
    if (b.value("run_type", std::string("iteration")) != "iteration") continue;  // aggregates: recomputed by us
    RunRecord r;
    r.job = micro_job((*index)++, allocator, "micro/" + b.value("name", std::string("?")));
    r.job.threads = b.value("threads", 1);
    r.job.rep = r.job.round = b.value("repetition_index", 0);
    const bool error = b.value("error_occurred", false);
    r.status = error ? Status::Failed : Status::Ok;
    if (error) r.reason = b.value("error_message", std::string("benchmark reported an error"));
    const std::string unit = b.value("time_unit", std::string("ns"));
    r.metrics.set("real_time_ns", to_ns(b.value("real_time", 0.0), unit));
    r.metrics.set("cpu_time_ns", to_ns(b.value("cpu_time", 0.0), unit));
    r.metrics.set_count("iterations", b.value("iterations", uint64_t{0}));
    for (const auto& [k, v] : b.items())  // the benchmark's own counters
      if (!is_gbench_field(k) && v.is_number())
        r.metrics.set_foreign(k, MetricValue{MetricValue::Kind::Number, {v.get<double>(), v.is_number_integer()}, {}});
    r.other["gbench"] = b;
    runs.push_back(std::move(r));
  }
  return runs;
}

po::options_description micro_options() {
  po::options_description d("allocscope micro options");
  d.add_options()("help,h", "show this help")("allocators,a", po::value<std::string>()->default_value("all"),
                                              "comma-separated allocators, or 'all'")(
      "allocator-lib", po::value<std::vector<std::string>>()->composing(),
      "user-defined allocator NAME=/path/lib.so; repeatable")("out,o", po::value<std::string>(),
                                                              "output folder (default results/runs/micro-DATE-TIME)")(
      "filter", po::value<std::string>(), "only benchmarks matching this regular expression (--benchmark_filter)")(
      "min-time", po::value<double>(), "minimum seconds per benchmark (--benchmark_min_time)")(
      "reps", po::value<int>()->default_value(1), "repetitions of each benchmark (--benchmark_repetitions)")(
      "timeout", po::value<double>()->default_value(1800), "wall-clock limit per allocator, seconds")(
      "quiet,q", po::bool_switch(), "no progress output");
  return d;
}

// The parsed options of one `allocscope micro`.
struct MicroSetup {
  std::vector<Adapter> available;
  std::vector<const Adapter*> allocators;  // point into `available`
  std::string micro;                       // the allocscope-micro program
  std::vector<std::string> bench_args;     // repetitions, filter, min time
  int reps = 1;
  double timeout = 1800;
  bool quiet = false;
};

void read_micro_setup(const po::variables_map& vm, MicroSetup& s) {
  s.reps = vm["reps"].as<int>();
  if (s.reps < 1) throw InputError(fmt::format("--reps {}: expected 1 or more", s.reps));
  if (vm.count("min-time") && !(vm["min-time"].as<double>() > 0))
    throw InputError("--min-time: expected a positive number of seconds");
  s.timeout = vm["timeout"].as<double>();
  if (!(s.timeout > 0)) throw InputError("--timeout: expected a positive number of seconds");
  s.bench_args = {"--benchmark_out_format=json", fmt::format("--benchmark_repetitions={}", s.reps)};
  if (vm.count("filter")) s.bench_args.push_back("--benchmark_filter=" + vm["filter"].as<std::string>());
  if (vm.count("min-time")) s.bench_args.push_back(fmt::format("--benchmark_min_time={}", vm["min-time"].as<double>()));
  std::vector<std::string> user_libs;
  if (vm.count("allocator-lib")) user_libs = vm["allocator-lib"].as<std::vector<std::string>>();
  s.available = available_allocators(user_libs);
  s.allocators = select_allocators(s.available, vm["allocators"].as<std::string>());
  s.micro = helper_dir() + "/allocscope-micro";
  if (::access(s.micro.c_str(), X_OK) != 0)
    throw InputError(fmt::format("{} is missing (build the allocscope-micro target)", s.micro));
  s.quiet = vm["quiet"].as<bool>();
}

// The run's context: this machine, the allocators, the repetitions.
json micro_context(const std::vector<std::string>& args, const MicroSetup& s) {
  std::string cmdline = "allocscope micro";
  for (const auto& a : args) cmdline += " " + a;
  json context = collect_context(cmdline);
  context["suite"] = "micro";
  json allocs = json::object();
  for (const Adapter* a : s.allocators) allocs[a->name] = {{"version", a->version}, {"path", a->preload}};
  context["allocators"] = allocs;
  context["reps"] = s.reps;
  return context;
}

// Runs allocscope-micro under `a` and appends its records to `doc` (one per
// benchmark and repetition, or one failed record for the process).
LaunchResult run_micro_under(const Adapter& a, const MicroSetup& s, const RunDir& dir, Results& doc, size_t* index) {
  const std::string out_file = dir.file("gbench-" + a.name + ".json");
  std::error_code ec;
  fs::remove(out_file, ec);
  LaunchSpec spec;
  spec.argv = {s.micro, "--benchmark_out=" + out_file};
  spec.argv.insert(spec.argv.end(), s.bench_args.begin(), s.bench_args.end());
  if (!a.preload.empty()) spec.env_set.push_back("LD_PRELOAD=" + a.preload);
  spec.result_pipe = false;
  spec.timeout_s = s.timeout;
  spec.rss_interval_s = 0;
  spec.count_syscalls = false;
  LaunchResult lr = launch(spec);
  json out;
  if (lr.status == "ok") {
    out = json::parse(read_text_file(out_file), nullptr, false);
    if (!out.is_object()) lr.status = "failed", lr.reason = "no readable Google Benchmark output in " + out_file;
  }
  doc.context["micro_processes"][a.name] = {
      {"status", lr.status}, {"wall_s", lr.wall_s}, {"peak_rss_bytes", lr.at_exit.vm_hwm_bytes}};
  if (lr.status != "ok") {
    RunRecord r;
    r.job = micro_job((*index)++, a.name, "micro");
    r.status = parse_status(lr.status).value_or(Status::Failed);
    r.reason = lr.reason;
    r.stderr_tail = lr.stderr_tail;
    r.metrics.set("wall_s", lr.wall_s);
    doc.runs.push_back(std::move(r));
    return lr;
  }
  doc.context["gbench_context"][a.name] = out.value("context", json::object());
  for (auto& r : records_from(out, a.name, index)) doc.runs.push_back(std::move(r));
  return lr;
}

// A compact table: benchmark x allocator, real time per iteration.
std::string micro_table(const std::vector<RunRecord>& runs, const std::vector<const Adapter*>& allocators) {
  std::map<std::string, std::map<std::string, double>> table;
  for (const auto& r : runs)
    if (r.ok() && r.job.rep == 0) table[r.job.workload][r.job.allocator] = r.metrics.number_or("real_time_ns", 0.0);
  std::string out = fmt::format("{:<44}", "benchmark (real ns/iter)");
  for (const Adapter* a : allocators) out += fmt::format(" {:>12}", a->name);
  out += "\n";
  for (const auto& [name, by] : table) {
    out += fmt::format("{:<44}", name.substr(0, 44));
    for (const Adapter* a : allocators) {
      auto it = by.find(a->name);
      out += it == by.end() ? fmt::format(" {:>12}", "-") : fmt::format(" {:>12.1f}", it->second);
    }
    out += "\n";
  }
  return out;
}

}  // namespace

int cmd_micro(const std::vector<std::string>& args) {
  const po::options_description d = micro_options();
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(d).run(), vm);
  if (vm.count("help")) {
    std::cout << "usage: allocscope micro [--allocators a,b] [--out DIR] [--filter REGEX] [--min-time S] [--reps N]\n\n"
                 "Runs the Google Benchmark micro-benchmarks (allocscope-micro) under each allocator by\n"
                 "LD_PRELOAD and merges them into DIR/results.json (workload \"micro/<benchmark>\").\n\n"
              << d;
    return 0;
  }
  po::notify(vm);
  MicroSetup s;
  read_micro_setup(vm, s);
  const RunDir dir = RunDir::create(vm.count("out") ? vm["out"].as<std::string>() : RunDir::default_path("micro"));

  Results doc;
  doc.context = micro_context(args, s);
  doc.context["micro_processes"] = json::object();
  doc.context["gbench_context"] = json::object();
  size_t index = 0;
  Progress progress(s.allocators.size(), s.quiet);
  for (const Adapter* a : s.allocators) {
    progress.start(fmt::format("{} allocscope-micro", a->name));
    LaunchResult lr = run_micro_under(*a, s, dir, doc, &index);
    progress.finish(lr.status, lr.wall_s, lr.reason);
    if (g_stop_requested.load()) break;
  }
  progress.done();
  dir.save_results(doc);

  size_t failed = 0;
  for (const auto& r : doc.runs) failed += !r.ok();
  print_out(micro_table(doc.runs, s.allocators));
  note("allocscope: {} micro records, {} not ok; results in {}", doc.runs.size(), failed, dir.results_file());
  return failed ? 1 : 0;
}

}  // namespace allocscope
