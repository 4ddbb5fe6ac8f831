// redis: redis-server driven by redis-benchmark through inputs/redis_bench.sh.
#include "workloads/realistic/programs.hpp"

namespace allocscope::realistic {
namespace {

ALLOCSCOPE_WORKLOAD({
    .name = "redis",
    .category = "realistic",
    .doc = "whole program: redis-server on a free 127.0.0.1 port driven by redis-benchmark "
           "(bounded requests, run without the preload); the job's process is the server",
    .params = {{"requests", ParamType::Int, "10000", "requests per benchmark test", 1, 1e9},
               {"clients", ParamType::Int, "20", "parallel client connections", 1, 10000},
               {"data", ParamType::Size, "64", "value size of SET/GET", 1, 1 << 26}},
    .multithreaded = false,
    .make = none,
    .command = [](const Params& p, std::string* why) -> std::vector<std::string> {
      if (!have({"/bin/sh", "/usr/bin/redis-server", "/usr/bin/redis-benchmark", "/usr/bin/redis-cli"}, why)) return {};
      return {"/bin/sh", input("redis_bench.sh"), p.s("requests"), p.s("clients"), p.s("data"), glibc_path()};
    },
});

}  // namespace
}  // namespace allocscope::realistic
