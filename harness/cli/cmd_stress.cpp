// allocscope stress: correctness of each allocator under multithreaded load.
// Runs allocscope-stress in a child under each allocator (LD_PRELOAD through
// the launcher) and reports the first violation precisely, with the command
// that reproduces it.
#include <fmt/format.h>

#include <boost/program_options.hpp>
#include <cstdio>
#include <iostream>

#include "common/input_error.hpp"
#include "harness/cli/allocator_selection.hpp"
#include "harness/cli/child_tool.hpp"
#include "harness/cli/commands.hpp"
#include "harness/report/console.hpp"
#include "harness/results/results_io.hpp"
#include "harness/results/status.hpp"

namespace po = boost::program_options;

namespace allocscope {

namespace {

po::options_description stress_options() {
  po::options_description d("allocscope stress options");
  d.add_options()("help,h", "show this help")("allocators,a", po::value<std::string>()->default_value("all"),
                                              "comma-separated allocators, or 'all'")(
      "allocator-lib", po::value<std::vector<std::string>>()->composing(),
      "user-defined allocator NAME=/path/lib.so; repeatable")(
      "threads,t", po::value<int>()->default_value(4), "threads allocating, freeing and handing blocks to each other")(
      "seconds,s", po::value<double>()->default_value(5), "duration per allocator")(
      "ops", po::value<uint64_t>()->default_value(0),
      "operations per thread instead of --seconds (exact replay); 0 = off")(
      "seed", po::value<uint64_t>()->default_value(42), "seed of every thread's operation sequence")(
      "no-fork", po::bool_switch(), "do not fork while the threads allocate")("json", po::bool_switch(),
                                                                              "print the report as JSON");
  return d;
}

struct StressSetup {
  int threads = 4;
  double seconds = 5;
  uint64_t seed = 42, ops = 0;
  bool no_fork = false;
};

// Runs allocscope-stress under `a`; its record (ok, violation or failed)
// with the command that reproduces it.
json stress_allocator(const Adapter& a, const StressSetup& s) {
  std::vector<std::string> argv{
      helper_dir() + "/allocscope-stress", "--threads", std::to_string(s.threads), "--seconds",
      fmt::format("{}", s.seconds),        "--seed",    std::to_string(s.seed)};
  if (s.ops) argv.insert(argv.end(), {"--ops", std::to_string(s.ops)});
  if (s.no_fork) argv.push_back("--no-fork");
  std::string repro =
      fmt::format("allocscope stress --allocators {} --threads {} --seed {} {}", a.name, s.threads, s.seed,
                  s.ops ? fmt::format("--ops {}", s.ops) : fmt::format("--seconds {}", s.seconds));
  if (s.no_fork) repro += " --no-fork";
  if (a.version == "user") repro += fmt::format(" --allocator-lib {}={}", a.name, a.preload);
  LaunchResult lr = run_under(a, argv, (s.ops ? 600 : s.seconds * 4) + 30, 8ULL << 30);
  json r{{"allocator", a.name}, {"seed", s.seed}, {"threads", s.threads}};
  json out = json::parse(lr.result_text, nullptr, false);
  const bool exited_ok = lr.status == to_string(Status::Ok);
  if (exited_ok && out.is_object() && out.value("ok", false)) {
    r["status"] = "ok";
    for (const char* k : {"ops", "forks", "remote_frees", "seconds"})
      if (out.contains(k)) r[k] = out[k];
  } else if (out.is_object() && out.contains("violation")) {
    r["status"] = "violation";
    r["violation"] = out["violation"];
    r["reproduce"] = repro;
  } else {
    r["status"] = exited_ok ? to_string(Status::Failed) : lr.status;
    r["reason"] = lr.reason.empty() ? "no report from allocscope-stress" : lr.reason;
    r["stderr_tail"] = last_lines(lr.stderr_tail, 6);
    r["reproduce"] = repro;
  }
  return r;
}

std::string stress_text(const json& report, uint64_t seed) {
  std::string out;
  for (const auto& r : report) {
    std::string name = r["allocator"];
    if (r["status"] == "ok") {
      out += fmt::format("{:<10} ok         {} ops, {} forks, {} frees by another thread\n", name, r.value("ops", 0),
                         r.value("forks", 0), r.value("remote_frees", 0));
      continue;
    }
    out += fmt::format("{:<10} {:<10} ", name, r["status"].get<std::string>());
    if (r.contains("violation")) {
      const auto& v = r["violation"];
      out += fmt::format("op={} size={} thread={} op_index={} seed={}: {}\n", v.value("op", ""), v.value("size", 0),
                         v.value("thread", 0), v.value("op_index", 0), seed, v.value("detail", ""));
    } else {
      out += fmt::format("{}\n", r.value("reason", ""));
      if (!r.value("stderr_tail", "").empty())
        out += fmt::format("           stderr: {}\n", r.value("stderr_tail", ""));
    }
    out += fmt::format("           reproduce: {}\n", r.value("reproduce", ""));
  }
  return out;
}

}  // namespace

int cmd_stress(const std::vector<std::string>& args) {
  const po::options_description d = stress_options();
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(d).run(), vm);
  if (vm.count("help")) {
    std::cout << "usage: allocscope stress [--allocators a,b] [--threads N] [--seconds S] [--seed N]\n\n"
                 "Checks each allocator under load, in a child process with the allocator preloaded:\n"
                 "every block is filled with a pattern derived from its id and checked before it is\n"
                 "freed; alignment and malloc_usable_size >= request on every allocation; realloc\n"
                 "keeps content; calloc returns zeros; blocks are freed by other threads; one thread\n"
                 "forks while the others allocate. The first violation is reported with allocator,\n"
                 "operation, size, thread and seed; each thread's operations depend only on the seed.\n"
                 "Exit status: 0 no violation, 1 a violation or crash, 2 bad input.\n\n"
              << d;
    return 0;
  }
  po::notify(vm);
  StressSetup s;
  s.threads = vm["threads"].as<int>();
  s.seconds = vm["seconds"].as<double>();
  s.seed = vm["seed"].as<uint64_t>(), s.ops = vm["ops"].as<uint64_t>();
  s.no_fork = vm["no-fork"].as<bool>();
  if (s.threads < 1 || s.threads > 1024) throw InputError(fmt::format("--threads {}: expected 1 to 1024", s.threads));
  if (!(s.seconds > 0) || s.seconds > 86400)
    throw InputError("--seconds: expected a positive number of seconds (at most 86400)");
  std::vector<std::string> user_libs;
  if (vm.count("allocator-lib")) user_libs = vm["allocator-lib"].as<std::vector<std::string>>();
  const auto all = available_allocators(user_libs);
  const auto chosen = select_allocators(all, vm["allocators"].as<std::string>());
  const bool as_json = vm["json"].as<bool>();

  json report = json::array();
  int bad = 0;
  for (const Adapter* a : chosen) {
    if (!as_json) note("stress {} ...", a->name);
    json r = stress_allocator(*a, s);
    bad += r["status"] != "ok";
    report.push_back(r);
  }
  print_out(as_json ? report.dump(1) + "\n" : stress_text(report, s.seed));
  return bad ? 1 : 0;
}

}  // namespace allocscope
