// allocscope probe: per allocator, does it detect heap misuse (double free,
// invalid frees, overflows, use after free), and does it implement the whole
// malloc API? Each probe runs in its own child under the allocator
// (allocscope-probe, launched with LD_PRELOAD); whatever the child does,
// allocscope only records it.
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <cstdio>
#include <iostream>
#include <sstream>

#include "common/input_error.hpp"
#include "harness/cli/allocator_selection.hpp"
#include "harness/cli/child_tool.hpp"
#include "harness/cli/commands.hpp"
#include "harness/cli/probe_matrix.hpp"
#include "harness/conform/misuse_matrix.hpp"
#include "harness/report/console.hpp"
#include "harness/results/results_io.hpp"

namespace po = boost::program_options;

namespace allocscope {

namespace {

struct ProbeInfo {
  std::string name, doc;
};

std::vector<ProbeInfo> probe_list(const std::string& bin) {
  Adapter system{.name = "glibc"};
  LaunchResult lr = run_under(system, {bin, "list"}, 20, 0);
  std::vector<ProbeInfo> out;
  std::istringstream in(lr.result_text);
  for (std::string line; std::getline(in, line);) {
    auto tab = line.find('\t');
    if (tab != std::string::npos) out.push_back({line.substr(0, tab), line.substr(tab + 1)});
  }
  if (out.empty()) throw std::runtime_error("cannot list the probes of " + bin + ": " + lr.reason);
  return out;
}

// detected: stopped with a diagnostic; warned: a diagnostic but it went on;
// tolerated: nothing noticed; corruption: the heap observably broke;
// crashed: died without a diagnostic; hang: timed out.
json classify(const LaunchResult& lr) {
  json r;
  std::string msg = last_lines(lr.stderr_tail, 3);
  json out = json::parse(lr.result_text, nullptr, false);
  if (lr.status == "timeout") {
    r["outcome"] = "hang";
  } else if (lr.status == "ok" && out.is_object() && out.contains("outcome")) {
    r["outcome"] = msg.empty() ? out["outcome"] : json(out["outcome"] == "corruption" ? "corruption" : "warned");
    r["detail"] = out.value("detail", "");
  } else if (lr.signal || lr.exit_code != 0) {
    bool has_msg = !msg.empty();
    r["outcome"] = has_msg ? "detected" : "crashed";
    r["detail"] = lr.signal ? fmt::format("signal {} ({})", lr.signal, strsignal(lr.signal))
                            : fmt::format("exit status {}", lr.exit_code);
  } else {
    r["outcome"] = "failed";
    r["detail"] = lr.reason;
  }
  if (!msg.empty()) r["message"] = msg;
  return r;
}

int run_matrix(const po::variables_map& vm, const std::vector<const Adapter*>& chosen, const std::string& bin,
               const std::vector<std::string>& args) {
  MatrixOptions opt;
  opt.program = bin;
  opt.out_dir = vm.count("out")
                    ? vm["out"].as<std::string>()
                    : fmt::format("results/runs/misuse-{:%Y%m%d-%H%M%S}", fmt::localtime(std::time(nullptr)));
  opt.cases = vm["cases"].as<std::string>();
  opt.sizes = vm["sizes"].as<std::string>();
  opt.timeout_s = vm["timeout"].as<double>();
  opt.jobs = vm["jobs"].as<int>();
  if (opt.jobs < 1) throw InputError("--jobs: expected a positive number");
  opt.command_line = "allocscope probe";
  for (const auto& a : args) opt.command_line += " " + a;
  return run_probe_matrix(opt, chosen);
}

po::options_description probe_options() {
  po::options_description d("allocscope probe options");
  d.add_options()("help,h", "show this help")("allocators,a", po::value<std::string>()->default_value("all"),
                                              "comma-separated allocators, or 'all'")(
      "allocator-lib", po::value<std::vector<std::string>>()->composing(),
      "user-defined allocator NAME=/path/lib.so; repeatable")(
      "probes,p", po::value<std::string>()->default_value("all"), "comma-separated misuse probes, 'all' or 'none'")(
      "no-api", po::bool_switch(), "skip the API conformance check")("timeout", po::value<double>()->default_value(10),
                                                                     "seconds per probe")(
      "json", po::bool_switch(), "print the report as JSON")("matrix", po::bool_switch(),
                                                             "run the heap-misuse matrix instead (see below)")(
      "cases", po::value<std::string>()->default_value("all"), "--matrix: comma-separated cases or groups")(
      "sizes", po::value<std::string>()->default_value("all"), "--matrix: comma-separated sizes (small,page,large)")(
      "jobs,j", po::value<int>()->default_value(2), "--matrix: cases run at once")(
      "out,o", po::value<std::string>(), "--matrix: run folder (default results/runs/misuse-DATE-TIME)");
  return d;
}

void print_probe_help(const po::options_description& d, const std::string& bin) {
  std::cout << "usage: allocscope probe [--allocators a,b] [--probes p,q] [--no-api] [--json]\n\n"
               "Heap-misuse probes, each in its own child under each allocator. Outcomes:\n"
               "  detected    the allocator stopped the program with a diagnostic\n"
               "  warned      it printed a diagnostic and went on\n"
               "  tolerated   the misuse went unnoticed (no visible damage)\n"
               "  corruption  the heap broke: e.g. the same block returned twice, or an\n"
               "              address chosen by the 'attacker' returned by malloc\n"
               "  crashed     the program died without a diagnostic; hang: it timed out\n"
               "API conformance: which object defines each malloc entry point (is it\n"
               "interposed?) and whether each behaves (ENOMEM, EINVAL, alignment, usable\n"
               "size, freeable through the allocator's free).\n"
               "--matrix: every case of the heap-misuse matrix at a small (64 B), a page\n"
               "(4096 B) and a large (1 MiB) block, each in its own process; one letter per\n"
               "size: C caught at the misuse (a diagnostic or an abort there, or an impossible\n"
               "size refused with NULL), L caught later (in the ordinary allocations after\n"
               "it), X crashed (a fault, no diagnostic), T timed out, - not caught. Writes\n"
               "OUT/misuse.json and OUT/misuse.md.\n"
               "Exit status: 0 report printed, 2 bad input.\n\n"
            << d << "\nprobes:\n";
  for (const auto& p : probe_list(bin)) std::cout << fmt::format("  {:<22} {}\n", p.name, p.doc);
  std::cout << "\nmatrix cases (--matrix; --cases takes names or groups such as double_free):\n";
  for (const auto& c : conform::list_misuse_cases(bin))
    std::cout << fmt::format("  {:<24} {:<20} {}\n", c.name, c.group, c.doc);
}

// The probes named in `csv` ('all', 'none' or a list); InputError for an unknown one.
std::vector<ProbeInfo> select_probes(const std::vector<ProbeInfo>& probes, const std::string& csv) {
  if (csv == "all") return probes;
  std::vector<ProbeInfo> selected;
  if (csv == "none") return selected;
  std::istringstream ss(csv);
  for (std::string name; std::getline(ss, name, ',');) {
    bool found = false;
    for (const auto& p : probes)
      if (p.name == name) selected.push_back(p), found = true;
    if (!found) {
      std::string valid;
      for (const auto& p : probes) valid += (valid.empty() ? "" : ", ") + p.name;
      throw InputError(fmt::format("--probes: unknown probe '{}'; valid probes: {}", name, valid));
    }
  }
  return selected;
}

// The API conformance check under `a`, with its findings. An allocator that
// interposes malloc but leaves an entry point to glibc mixes two heaps.
json api_conformance(const Adapter& a, const std::string& bin, double timeout) {
  LaunchResult lr = run_under(a, {bin, "api"}, timeout * 4, 1ULL << 30);
  json api = json::parse(lr.result_text, nullptr, false);
  if (!api.is_object())
    return {
        {"error", fmt::format("the conformance check itself died: {} {}", lr.reason, last_lines(lr.stderr_tail, 2))}};
  json findings = json::array();
  bool malloc_interposed = api["symbols"].value("/malloc"_json_pointer, json::object()).value("interposed", false);
  for (const auto& [name, s] : api["symbols"].items())
    if (malloc_interposed && !s.value("interposed", false))
      findings.push_back(fmt::format("{} is not interposed: glibc's {} serves it, mixing two heaps", name, name));
  for (const auto& c : api["checks"])
    if (!c.value("ok", false)) findings.push_back(fmt::format("{}: {}", c.value("name", ""), c.value("detail", "")));
  api["findings"] = findings;
  return api;
}

// One allocator's report: the outcome of each misuse probe, and the API check.
json probe_allocator(const Adapter& a, const std::string& bin, const std::vector<ProbeInfo>& selected, double timeout,
                     bool with_api, bool progress) {
  json ar;
  ar["version"] = a.version;
  json misuse = json::object();
  int detected = 0;
  for (const auto& p : selected) {
    if (progress) std::fprintf(stderr, "\rprobe %-10s %-22s", a.name.c_str(), p.name.c_str());
    json r = classify(run_under(a, {bin, "misuse", p.name}, timeout, 1ULL << 30));
    detected += r["outcome"] == "detected";
    misuse[p.name] = r;
  }
  ar["misuse"] = misuse;
  ar["detected"] = detected;
  if (with_api) ar["api"] = api_conformance(a, bin, timeout);
  return ar;
}

// The misuse table (probe x allocator) and the API findings, as text.
std::string probe_text(const json& report, const std::vector<const Adapter*>& chosen,
                       const std::vector<ProbeInfo>& selected, bool with_api) {
  std::string out;
  if (!selected.empty()) {
    std::string head = fmt::format("{:<22}", "probe");
    for (const Adapter* a : chosen) head += fmt::format(" {:<11}", a->name);
    out += head + "\n" + std::string(head.size(), '-') + "\n";
    for (const auto& p : selected) {
      std::string line = fmt::format("{:<22}", p.name);
      for (const Adapter* a : chosen)
        line += fmt::format(" {:<11}", report[a->name]["misuse"][p.name].value("outcome", "?"));
      out += line + "\n";
    }
    std::string line = fmt::format("{:<22}", "detected");
    for (const Adapter* a : chosen)
      line += fmt::format(" {:<11}", fmt::format("{}/{}", report[a->name].value("detected", 0), selected.size()));
    out += line + "\n\n";
  }
  if (!with_api) return out;
  for (const Adapter* a : chosen) {
    const json& api = report[a->name]["api"];
    if (api.contains("error")) {
      out += a->name + ": API check failed: " + api.value("error", "") + "\n";
      continue;
    }
    size_t nchecks = api.contains("checks") ? api["checks"].size() : 0;
    const json& f = api["findings"];
    out += fmt::format("{}: API conformance: {} findings ({} behaviour checks)\n", a->name, f.size(), nchecks);
    for (const auto& x : f) out += "  - " + x.get<std::string>() + "\n";
  }
  return out;
}

}  // namespace

int cmd_probe(const std::vector<std::string>& args) {
  const po::options_description d = probe_options();
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(d).run(), vm);
  const std::string bin = helper_dir() + "/allocscope-probe";
  if (vm.count("help")) {
    print_probe_help(d, bin);
    return 0;
  }
  po::notify(vm);
  const double timeout = vm["timeout"].as<double>();
  if (!(timeout > 0)) throw InputError("--timeout: expected a positive number of seconds");
  std::vector<std::string> user_libs;
  if (vm.count("allocator-lib")) user_libs = vm["allocator-lib"].as<std::vector<std::string>>();
  const auto all = available_allocators(user_libs);
  const auto chosen = select_allocators(all, vm["allocators"].as<std::string>());
  if (vm["matrix"].as<bool>()) return run_matrix(vm, chosen, bin, args);
  const auto selected = select_probes(probe_list(bin), vm["probes"].as<std::string>());
  const bool as_json = vm["json"].as<bool>(), with_api = !vm["no-api"].as<bool>();

  const bool progress = !as_json && ::isatty(STDERR_FILENO);
  json report = json::object();
  for (const Adapter* a : chosen) report[a->name] = probe_allocator(*a, bin, selected, timeout, with_api, progress);
  if (progress) std::fprintf(stderr, "\r%60s\r", "");
  print_out(as_json ? report.dump(1) + "\n" : probe_text(report, chosen, selected, with_api));
  return 0;
}

}  // namespace allocscope
