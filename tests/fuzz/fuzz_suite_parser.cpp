// Fuzzes the suite-file parser and the plan built from it: any input must
// give a Suite or an InputError, never a crash, hang or other exception.
#include <cstddef>
#include <cstdint>
#include <string>

#include "allocator/adapters/adapter.hpp"
#include "common/input_error.hpp"
#include "harness/runner/plan.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 8192) return -1;
  const std::string text(reinterpret_cast<const char*>(data), size);
  allocscope::Suite suite;
  try {
    suite = allocscope::parse_suite(text, "fuzz.suite");
  } catch (const allocscope::InputError&) {
    return 0;
  }
  if (suite.workloads.empty()) __builtin_trap();  // parse_suite promises at least one
  static allocscope::Adapter adapter{.name = "glibc"};
  allocscope::PlanRequest req;
  req.workloads = suite.workloads;
  req.allocators = {&adapter};
  if (!suite.threads.empty()) req.threads = suite.threads;
  req.reps = 1;  // the suite's reps only multiply the same jobs
  try {
    auto jobs = allocscope::build_plan(req);
    for (const auto& j : jobs)
      if (j.threads < 1 || j.workload.empty()) __builtin_trap();
    auto part = allocscope::select_shard(jobs, allocscope::Shard{1, 3});
    if (part.size() > jobs.size()) __builtin_trap();
  } catch (const allocscope::InputError&) {
  }
  return 0;
}
