// What the runner asks the worker to run: passed as one JSON argument
// (allocscope-worker --job JSON), written and read only here.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace allocscope {

struct WorkerJob {
  std::string workload;
  std::map<std::string, std::string> params;
  int threads = 1;
  uint64_t seed = 42;
  std::string allocator = "glibc";  // the adapter's name: the worker finds its statistics API by it
  uint64_t latency_every = 0;
  bool track_usable = false;
  std::string placement = "none";  // none | spread (workloads/include/allocscope/placement.hpp)
  // Bytes the worker allocates and holds before anything else it allocates
  // (run --heap-shift): moves where the workload's blocks fall; 0 = none.
  uint64_t heap_shift = 0;
};

inline std::string to_argument(const WorkerJob& w) {
  nlohmann::ordered_json j{{"workload", w.workload},         {"params", w.params},
                           {"threads", w.threads},           {"seed", w.seed},
                           {"allocator", w.allocator},       {"latency_every", w.latency_every},
                           {"track_usable", w.track_usable}, {"placement", w.placement}};
  if (w.heap_shift) j["heap_shift"] = w.heap_shift;  // absent when off: the argument, and so the heap, as before
  return j.dump();
}

// Throws nlohmann::json::exception on a malformed argument.
inline WorkerJob worker_job_from_argument(const std::string& text) {
  const auto j = nlohmann::json::parse(text);
  WorkerJob w;
  w.workload = j.at("workload").get<std::string>();
  w.params = j.value("params", std::map<std::string, std::string>{});
  w.threads = j.value("threads", 1);
  w.seed = j.value("seed", uint64_t{42});
  w.allocator = j.value("allocator", std::string("glibc"));
  w.latency_every = j.value("latency_every", uint64_t{0});
  w.track_usable = j.value("track_usable", false);
  w.placement = j.value("placement", std::string("none"));
  w.heap_shift = j.value("heap_shift", uint64_t{0});
  return w;
}

}  // namespace allocscope
