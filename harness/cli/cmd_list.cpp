// allocscope list allocators|workloads|suites|metrics: one line each.
#include <fmt/format.h>

#include <cstdio>

#include "allocscope/workload.hpp"
#include "common/input_error.hpp"
#include "harness/cli/allocator_selection.hpp"
#include "harness/cli/commands.hpp"
#include "harness/results/metrics.hpp"
#include "harness/runner/plan.hpp"

namespace allocscope {

int cmd_list(const std::vector<std::string>& args) {
  const char* usage =
      "usage: allocscope list allocators|workloads|suites|metrics [--params]\n"
      "  allocators  name, version, preload library\n"
      "  workloads   name, category, one-line doc (--params: also each parameter, and which one\n"
      "              is the work count that run --min-window grows)\n"
      "  suites      name and file\n"
      "  metrics     name, unit, class, direction, doc\n";
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::fputs(usage, args.empty() ? stderr : stdout);
    return args.empty() ? kExitBadInput : 0;
  }
  const std::string& what = args[0];
  bool with_params = args.size() > 1 && args[1] == "--params";
  if (args.size() > (with_params ? 2u : 1u)) throw InputError(fmt::format("unexpected argument '{}'", args.back()));
  if (what == "allocators") {
    for (const auto& a : available_allocators({}))
      fmt::print("{:<10} {:<10} {}\n", a.name, a.version, a.preload.empty() ? "(system allocator)" : a.preload);
  } else if (what == "workloads") {
    for (const auto* w : WorkloadRegistry::instance().all()) {
      fmt::print("{:<22} {:<12} {}{}\n", w->name, w->category, w->multithreaded ? "[mt] " : "", w->doc);
      if (with_params)
        for (const auto& p : w->params)
          fmt::print("    {}={} ({}{}) {}\n", p.name, p.def, type_name(p.type),
                     p.name == w->scale ? "; the scale --min-window grows" : "", p.doc);
    }
  } else if (what == "suites") {
    for (const auto& s : list_suites()) fmt::print("{:<14} {}/{}.suite\n", s, suite_dir(), s);
  } else if (what == "metrics") {
    for (const auto& m : metric_defs())
      fmt::print("{:<24} {:<8} {:<10} {:<16} {}\n", m.name, m.unit, to_string(m.cls), to_string(m.direction), m.doc);
  } else {
    throw InputError(fmt::format("unknown list '{}'; valid: allocators, workloads, suites, metrics", what));
  }
  return 0;
}

}  // namespace allocscope
