// python3: a whole Python program with PYTHONMALLOC=malloc (see the doc line).
#include "workloads/realistic/programs.hpp"

namespace allocscope::realistic {
namespace {

ALLOCSCOPE_WORKLOAD({
    .name = "python3",
    .category = "realistic",
    .doc = "whole program: /usr/bin/python3 with PYTHONMALLOC=malloc running an allocation-heavy "
           "script (records, sort, JSON, dict word count); small objects straight to malloc",
    .params = {{"scale", ParamType::Int, "30000", "records per round", 1, 1e9},
               {"pymalloc", ParamType::Bool, "0", "keep Python's own small-object allocator", 0, 1}},
    .multithreaded = false,
    .make = none,
    .command = [](const Params& p, std::string* why) -> std::vector<std::string> {
      if (!have({"/usr/bin/env", "/usr/bin/python3"}, why)) return {};
      return {"/usr/bin/env", p.b("pymalloc") ? "PYTHONMALLOC=pymalloc" : "PYTHONMALLOC=malloc", "/usr/bin/python3",
              input("python_workload.py"), p.s("scale")};
    },
});

}  // namespace
}  // namespace allocscope::realistic
