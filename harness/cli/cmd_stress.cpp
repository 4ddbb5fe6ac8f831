// allocscope stress: correctness of each allocator under multithreaded load.
// Runs allocscope-stress in a child under each allocator (LD_PRELOAD through
// the launcher) and reports the first violation precisely, with the command
// that reproduces it.
#include <fmt/format.h>

#include <boost/program_options.hpp>
#include <cstdio>
#include <iostream>

#include "allocator_selection.hpp"
#include "child_tool.hpp"
#include "commands.hpp"
#include "input_error.hpp"
#include "results/results_io.hpp"

namespace po = boost::program_options;

namespace allocscope {

int cmd_stress(const std::vector<std::string>& args) {
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
  const int threads = vm["threads"].as<int>();
  const double seconds = vm["seconds"].as<double>();
  const uint64_t seed = vm["seed"].as<uint64_t>(), ops = vm["ops"].as<uint64_t>();
  if (threads < 1 || threads > 1024) throw InputError(fmt::format("--threads {}: expected 1 to 1024", threads));
  if (!(seconds > 0) || seconds > 86400)
    throw InputError("--seconds: expected a positive number of seconds (at most 86400)");
  std::vector<std::string> user_libs;
  if (vm.count("allocator-lib")) user_libs = vm["allocator-lib"].as<std::vector<std::string>>();
  auto all = available_allocators(user_libs);
  auto chosen = select_allocators(all, vm["allocators"].as<std::string>());

  json report = json::array();
  int bad = 0;
  for (const Adapter* a : chosen) {
    std::vector<std::string> argv{
        helper_dir() + "/allocscope-stress", "--threads", std::to_string(threads), "--seconds",
        fmt::format("{}", seconds),          "--seed",    std::to_string(seed)};
    if (ops) argv.insert(argv.end(), {"--ops", std::to_string(ops)});
    if (vm["no-fork"].as<bool>()) argv.push_back("--no-fork");
    std::string repro = fmt::format("allocscope stress --allocators {} --threads {} --seed {} {}", a->name, threads,
                                    seed, ops ? fmt::format("--ops {}", ops) : fmt::format("--seconds {}", seconds));
    if (vm["no-fork"].as<bool>()) repro += " --no-fork";
    if (a->version == "user") repro += fmt::format(" --allocator-lib {}={}", a->name, a->preload);
    if (!vm["json"].as<bool>()) std::fprintf(stderr, "stress %s ...\n", a->name.c_str());
    LaunchResult lr = run_under(*a, argv, (ops ? 600 : seconds * 4) + 30, 8ULL << 30);
    json r{{"allocator", a->name}, {"seed", seed}, {"threads", threads}};
    json out = json::parse(lr.result_text, nullptr, false);
    if (lr.status == "ok" && out.is_object() && out.value("ok", false)) {
      r["status"] = "ok";
      for (const char* k : {"ops", "forks", "remote_frees", "seconds"})
        if (out.contains(k)) r[k] = out[k];
    } else if (out.is_object() && out.contains("violation")) {
      r["status"] = "violation";
      r["violation"] = out["violation"];
      r["reproduce"] = repro;
    } else {
      r["status"] = lr.status == "ok" ? "failed" : lr.status;
      r["reason"] = lr.reason.empty() ? "no report from allocscope-stress" : lr.reason;
      r["stderr_tail"] = last_lines(lr.stderr_tail, 6);
      r["reproduce"] = repro;
    }
    if (r["status"] != "ok") ++bad;
    report.push_back(r);
  }
  if (vm["json"].as<bool>()) {
    std::cout << report.dump(1) << "\n";
  } else {
    for (const auto& r : report) {
      std::string name = r["allocator"];
      if (r["status"] == "ok") {
        fmt::print("{:<10} ok         {} ops, {} forks, {} frees by another thread\n", name, r.value("ops", 0),
                   r.value("forks", 0), r.value("remote_frees", 0));
        continue;
      }
      fmt::print("{:<10} {:<10} ", name, r["status"].get<std::string>());
      if (r.contains("violation")) {
        const auto& v = r["violation"];
        fmt::print("op={} size={} thread={} op_index={} seed={}: {}\n", v.value("op", ""), v.value("size", 0),
                   v.value("thread", 0), v.value("op_index", 0), seed, v.value("detail", ""));
      } else {
        fmt::print("{}\n", r.value("reason", ""));
        if (!r.value("stderr_tail", "").empty()) fmt::print("           stderr: {}\n", r.value("stderr_tail", ""));
      }
      fmt::print("           reproduce: {}\n", r.value("reproduce", ""));
    }
  }
  return bad ? 1 : 0;
}

}  // namespace allocscope
