// allocscope conform: glibc's own malloc tests (from Debian's glibc-source)
// built against the project's test driver and run under each allocator. A
// command of its own rather than a mode of `probe`: it has a build step with
// a cache, inputs from outside the project (the glibc sources), a pass/fail
// table per test instead of misuse outcomes, and a run folder of its own.
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <gnu/libc-version.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "common/input_error.hpp"
#include "harness/cli/allocator_selection.hpp"
#include "harness/cli/child_tool.hpp"
#include "harness/cli/commands.hpp"
#include "harness/conform/build.hpp"
#include "harness/conform/run.hpp"
#include "harness/conform/table.hpp"
#include "harness/results/results_io.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;

#ifndef ALLOCSCOPE_SOURCE_DIR
#define ALLOCSCOPE_SOURCE_DIR "."
#endif

namespace allocscope {

namespace {

using conform::TestEntry;

po::options_description conform_options() {
  po::options_description d("allocscope conform options");
  auto add = d.add_options();
  add("help,h", "show this help");
  add("allocators,a", po::value<std::string>()->default_value("all"),
      "comma-separated allocators, or 'all'; glibc always runs (it is the reference)");
  add("allocator-lib", po::value<std::vector<std::string>>()->composing(),
      "user-defined allocator NAME=/path/lib.so; repeatable");
  add("tests,t", po::value<std::string>()->default_value("all"),
      "comma-separated tests (tst-malloc or malloc), or 'all' runnable ones");
  add("list", po::bool_switch(), "list the tests (runnable, or skipped with the reason) and exit");
  add("timeout", po::value<double>()->default_value(60), "seconds per test and allocator");
  add("out,o", po::value<std::string>(),
      "run folder for conform.json and conform.md (default results/runs/conform-DATE-TIME)");
  add("glibc-source", po::value<std::string>()->default_value(""),
      "glibc tarball (default: the one Debian's glibc-source installs in /usr/src/glibc)");
  add("build-dir", po::value<std::string>(), "cache of the extracted and compiled tests (default BUILD/conform)");
  add("driver-dir", po::value<std::string>(), "the test driver's sources (default harness/conform/driver)");
  add("cc", po::value<std::string>()->default_value("cc"), "C compiler for the tests");
  add("jobs,j", po::value<int>()->default_value(2), "compilers run at once");
  return d;
}

void print_conform_help(const po::options_description& d) {
  std::cout << "usage: allocscope conform [--allocators a,b] [--tests t,u] [--timeout S] [--out DIR]\n\n"
               "Builds glibc's own malloc tests (malloc/tst-*.c of Debian's glibc-source) against\n"
               "allocscope's test driver, runs each under every selected allocator in a process\n"
               "of its own (LD_PRELOAD, time limit) and prints a test x allocator table:\n"
               "  pass         the test passed (or died of the signal it expects)\n"
               "  fail         it reported a failure (its message is listed under the table)\n"
               "  crash        a signal it did not expect killed it\n"
               "  timeout      no result within --timeout\n"
               "  hang         no result, and the test's own liveness check said it was stuck\n"
               "  unsupported  the test found it cannot run here (exit 77)\n"
               "  n/a          glibc itself does not pass it on this machine: not counted\n"
               "Tests that need glibc internals (hooks, internal symbols, tunables, mcheck,\n"
               "mtrace, the debugging malloc library) are skipped; --list says why.\n"
               "Writes OUT/conform.json (schema allocscope.conform/1) and OUT/conform.md; the\n"
               "output of every run that did not pass is kept in OUT/logs/TEST.ALLOCATOR.txt.\n"
               "The compiled tests are cached in the build folder: reruns start at once.\n"
               "Progress goes to stderr. Exit status: 0 table written, 1 the tests could not\n"
               "be built, 2 bad input.\n\n"
            << d;
}

// The names asked for, checked against the catalog (runnable ones only).
std::vector<std::string> select_tests(const std::vector<TestEntry>& all, const std::string& csv) {
  std::vector<std::string> out;
  if (csv == "all") {
    for (const auto& t : all)
      if (t.skip_reason.empty()) out.push_back(t.name);
    return out;
  }
  std::istringstream ss(csv);
  for (std::string name; std::getline(ss, name, ',');) {
    if (name.rfind("tst-", 0) != 0) name = "tst-" + name;
    auto it = std::find_if(all.begin(), all.end(), [&](const TestEntry& t) { return t.name == name; });
    if (it == all.end()) throw InputError("--tests: unknown test '" + name + "' (see --list)");
    if (!it->skip_reason.empty()) throw InputError("--tests: " + name + " cannot run: " + it->skip_reason);
    out.push_back(name);
  }
  if (out.empty()) throw InputError("--tests: no test named");
  return out;
}

std::vector<conform::AllocatorInfo> chosen_allocators(const po::variables_map& vm) {
  std::vector<std::string> user_libs;
  if (vm.count("allocator-lib")) user_libs = vm["allocator-lib"].as<std::vector<std::string>>();
  auto all = available_allocators(user_libs);
  auto chosen = select_allocators(all, vm["allocators"].as<std::string>());
  std::vector<conform::AllocatorInfo> out{{"glibc", gnu_get_libc_version(), ""}};
  for (const Adapter* a : chosen)
    if (a->name != "glibc") out.push_back({a->name, a->version, a->preload});
  return out;
}

conform::BuildSetup build_setup(const po::variables_map& vm) {
  conform::BuildSetup s;
  s.tarball = conform::find_glibc_tarball(vm["glibc-source"].as<std::string>());
  s.build_dir = vm.count("build-dir") ? vm["build-dir"].as<std::string>() : helper_dir() + "/../conform";
  s.driver_dir = vm.count("driver-dir") ? vm["driver-dir"].as<std::string>()
                                        : std::string(ALLOCSCOPE_SOURCE_DIR) + "/harness/conform/driver";
  if (!fs::is_directory(s.driver_dir + "/include") || !fs::is_directory(s.driver_dir + "/src"))
    throw InputError("--driver-dir: " + s.driver_dir + " has no include/ and src/ (the conformance test driver)");
  s.cc = vm["cc"].as<std::string>();
  s.jobs = vm["jobs"].as<int>();
  if (s.jobs < 1) throw InputError("--jobs: expected a positive number");
  s.progress = [](const std::string& line) { std::fprintf(stderr, "conform: %s\n", line.c_str()); };
  return s;
}

std::string command_line(const std::vector<std::string>& args) {
  std::string s = "allocscope conform";
  for (const auto& a : args) s += " " + a;
  return s;
}

void list_tests(const std::vector<TestEntry>& all) {
  for (const auto& t : all)
    std::cout << fmt::format("  {:<32} {}\n", t.name, t.skip_reason.empty() ? "runnable" : "skipped: " + t.skip_reason);
}

}  // namespace

int cmd_conform(const std::vector<std::string>& args) {
  auto d = conform_options();
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(d).run(), vm);
  if (vm.count("help")) {
    print_conform_help(d);
    return 0;
  }
  po::notify(vm);
  const double timeout = vm["timeout"].as<double>();
  if (!(timeout > 0)) throw InputError("--timeout: expected a positive number of seconds");
  conform::BuildSetup setup = build_setup(vm);
  auto catalog = conform::catalog(conform::prepare_sources(setup));
  if (vm["list"].as<bool>()) {
    list_tests(catalog);
    return 0;
  }
  auto names = select_tests(catalog, vm["tests"].as<std::string>());
  conform::Table table{catalog, chosen_allocators(vm), {}};
  const std::string out =
      vm.count("out") ? vm["out"].as<std::string>()
                      : fmt::format("results/runs/conform-{:%Y%m%d-%H%M%S}", fmt::localtime(std::time(nullptr)));
  std::error_code ec;
  fs::create_directories(out, ec);
  if (ec) throw InputError(fmt::format("--out {}: cannot create the folder: {}", out, ec.message()));

  conform::BuiltTests built = conform::build_tests(setup, names);
  conform::RunSetup run{timeout, fs::absolute(out).string(), setup.progress};
  conform::run_tests(table, names, built, run);
  fs::remove_all(conform::work_dir(run), ec);

  json context = collect_context(command_line(args));
  context["glibc_source"] = setup.tarball;
  context["glibc_tests_version"] = conform::glibc_version_of(setup.tarball);
  context["timeout_s"] = timeout;
  write_file_atomic(out + "/conform.json", conform::to_json(table, context).dump(1) + "\n");
  write_file_atomic(out + "/conform.md", conform::to_markdown(table));
  std::cout << conform::to_text(table);
  std::fprintf(stderr, "conform: wrote %s/conform.json and %s/conform.md\n", out.c_str(), out.c_str());
  return 0;
}

}  // namespace allocscope
