#include "commands.hpp"

namespace allocscope {

const std::vector<Command>& commands() {
  static const std::vector<Command> table{
      {"run", "run workloads under allocators, each job in a fresh process", cmd_run},
      {"record", "run a program with its allocations recorded to a trace file", cmd_record},
      {"trace", "inspect (info) or import (convert) allocation traces", cmd_trace},
      {"list", "list allocators, workloads, suites or metrics", cmd_list},
      {"micro", "run the Google Benchmark micro-benchmarks under each allocator", cmd_micro},
  };
  return table;
}

}  // namespace allocscope
