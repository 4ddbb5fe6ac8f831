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

#include "allocator_selection.hpp"
#include "commands.hpp"
#include "input_error.hpp"
#include "probes/proc.hpp"
#include "report/progress.hpp"
#include "results/results_io.hpp"
#include "runner/launcher.hpp"

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

// Run records for one allocator's benchmark output.
std::vector<json> records_from(const json& out, const std::string& allocator, size_t* index) {
  std::vector<json> runs;
  for (const auto& b : out.value("benchmarks", json::array())) {
    if (b.value("run_type", std::string("iteration")) != "iteration") continue;  // aggregates: recomputed by us
    json r;
    r["index"] = (*index)++;
    r["allocator"] = allocator;
    r["workload"] = "micro/" + b.value("name", std::string("?"));
    r["params"] = json::object();
    r["threads"] = b.value("threads", 1);
    r["rep"] = b.value("repetition_index", 0);
    r["round"] = b.value("repetition_index", 0);
    r["seed"] = 0;
    r["warmup"] = false;
    const bool error = b.value("error_occurred", false);
    r["status"] = error ? "failed" : "ok";
    if (error) r["reason"] = b.value("error_message", std::string("benchmark reported an error"));
    json m;
    const std::string unit = b.value("time_unit", std::string("ns"));
    m["real_time_ns"] = to_ns(b.value("real_time", 0.0), unit);
    m["cpu_time_ns"] = to_ns(b.value("cpu_time", 0.0), unit);
    m["iterations"] = b.value("iterations", 0);
    for (const auto& [k, v] : b.items())
      if (!is_gbench_field(k) && v.is_number()) m[k] = v;
    r["metrics"] = m;
    r["gbench"] = b;
    runs.push_back(std::move(r));
  }
  return runs;
}

std::string self_dir() {
  std::error_code ec;
  auto exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(".") : exe.parent_path().string();
}

}  // namespace

int cmd_micro(const std::vector<std::string>& args) {
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
  const int reps = vm["reps"].as<int>();
  if (reps < 1) throw InputError(fmt::format("--reps {}: expected 1 or more", reps));
  if (vm.count("min-time") && !(vm["min-time"].as<double>() > 0))
    throw InputError("--min-time: expected a positive number of seconds");
  const double timeout = vm["timeout"].as<double>();
  if (!(timeout > 0)) throw InputError("--timeout: expected a positive number of seconds");

  std::vector<std::string> user_libs;
  if (vm.count("allocator-lib")) user_libs = vm["allocator-lib"].as<std::vector<std::string>>();
  const std::vector<Adapter> all = available_allocators(user_libs);
  const std::vector<const Adapter*> allocators = select_allocators(all, vm["allocators"].as<std::string>());

  const std::string micro = self_dir() + "/allocscope-micro";
  if (::access(micro.c_str(), X_OK) != 0)
    throw InputError(fmt::format("{} is missing (build the allocscope-micro target)", micro));
  const std::string out_dir =
      vm.count("out") ? vm["out"].as<std::string>()
                      : fmt::format("results/runs/micro-{:%Y%m%d-%H%M%S}", fmt::localtime(std::time(nullptr)));
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec) throw InputError(fmt::format("--out {}: cannot create the folder: {}", out_dir, ec.message()));

  std::string cmdline = "allocscope micro";
  for (const auto& a : args) cmdline += " " + a;
  json context = collect_context(cmdline);
  context["suite"] = "micro";
  json allocs = json::object(), gbench_context = json::object(), processes = json::object();
  for (const Adapter* a : allocators) allocs[a->name] = {{"version", a->version}, {"path", a->preload}};
  context["allocators"] = allocs;
  context["reps"] = reps;

  std::vector<json> runs;
  size_t index = 0, failed = 0;
  Progress progress(allocators.size(), vm["quiet"].as<bool>());
  for (const Adapter* a : allocators) {
    const std::string out_file = fmt::format("{}/gbench-{}.json", out_dir, a->name);
    fs::remove(out_file, ec);
    LaunchSpec spec;
    spec.argv = {micro, "--benchmark_out=" + out_file, "--benchmark_out_format=json",
                 fmt::format("--benchmark_repetitions={}", reps)};
    if (vm.count("filter")) spec.argv.push_back("--benchmark_filter=" + vm["filter"].as<std::string>());
    if (vm.count("min-time")) spec.argv.push_back(fmt::format("--benchmark_min_time={}", vm["min-time"].as<double>()));
    if (!a->preload.empty()) spec.env_set.push_back("LD_PRELOAD=" + a->preload);
    spec.result_pipe = false;
    spec.timeout_s = timeout;
    spec.rss_interval_s = 0;
    spec.count_syscalls = false;
    progress.start(fmt::format("{} allocscope-micro", a->name));
    LaunchResult lr = launch(spec);
    std::string status = lr.status, reason = lr.reason;
    json out;
    if (status == "ok") {
      out = json::parse(read_text_file(out_file), nullptr, false);
      if (!out.is_object()) status = "failed", reason = "no readable Google Benchmark output in " + out_file;
    }
    processes[a->name] = {{"status", status}, {"wall_s", lr.wall_s}, {"peak_rss_bytes", lr.at_exit.vm_hwm_bytes}};
    if (status != "ok") {
      ++failed;
      json r{{"index", index++},
             {"allocator", a->name},
             {"workload", "micro"},
             {"params", json::object()},
             {"threads", 1},
             {"rep", 0},
             {"round", 0},
             {"seed", 0},
             {"warmup", false},
             {"status", status},
             {"reason", reason},
             {"stderr_tail", lr.stderr_tail},
             {"metrics", {{"wall_s", lr.wall_s}}}};
      runs.push_back(std::move(r));
    } else {
      gbench_context[a->name] = out.value("context", json::object());
      for (auto& r : records_from(out, a->name, &index)) {
        failed += r["status"] != "ok";
        runs.push_back(std::move(r));
      }
    }
    progress.finish(status, lr.wall_s, reason);
    if (g_stop_requested.load()) break;
  }
  progress.done();
  context["micro_processes"] = processes;
  context["gbench_context"] = gbench_context;
  json doc;
  doc["schema"] = kResultsSchema;
  doc["context"] = context;
  doc["runs"] = runs;
  write_file_atomic(out_dir + "/results.json", doc.dump(1) + "\n");

  // A compact table: benchmark x allocator, real time per iteration.
  std::map<std::string, std::map<std::string, double>> table;
  for (const auto& r : runs)
    if (r["status"] == "ok" && r.value("rep", 0) == 0)
      table[r["workload"].get<std::string>()][r["allocator"].get<std::string>()] =
          r["metrics"].value("real_time_ns", 0.0);
  fmt::print("{:<44}", "benchmark (real ns/iter)");
  for (const Adapter* a : allocators) fmt::print(" {:>12}", a->name);
  fmt::print("\n");
  for (const auto& [name, by] : table) {
    fmt::print("{:<44}", name.substr(0, 44));
    for (const Adapter* a : allocators) {
      auto it = by.find(a->name);
      if (it == by.end())
        fmt::print(" {:>12}", "-");
      else
        fmt::print(" {:>12.1f}", it->second);
    }
    fmt::print("\n");
  }
  std::fprintf(stderr, "allocscope: %zu micro records, %zu not ok; results in %s/results.json\n", runs.size(), failed,
               out_dir.c_str());
  return failed ? 1 : 0;
}

}  // namespace allocscope
