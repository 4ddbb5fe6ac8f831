#include "run_groups.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "stats/comparison.hpp"

namespace allocscope {

std::string bench_name(const json& r) {
  std::string s = r.value("workload", "");
  if (r.contains("params") && r["params"].is_object() && !r["params"].empty()) {
    std::map<std::string, std::string> p;
    for (const auto& [k, v] : r["params"].items()) p[k] = v.is_string() ? v.get<std::string>() : v.dump();
    s += "/";
    bool first = true;
    for (const auto& [k, v] : p) s += (first ? "" : ",") + k + "=" + v, first = false;
  }
  return s + fmt::format("/threads:{}", r.value("threads", 1));
}

std::vector<RunGroup> group_by_job(const json& doc) {
  std::vector<RunGroup> groups;
  std::map<std::string, size_t> index;
  for (const auto& r : doc["runs"]) {
    if (r.value("status", "") != "ok" || r.value("warmup", false)) continue;
    std::string key = stats::job_key(r, true);
    auto it = index.find(key);
    if (it == index.end()) {
      RunGroup g;
      g.allocator = r.value("allocator", "");
      g.workload = r.value("workload", "");
      g.threads = r.value("threads", 1);
      g.name = bench_name(r);
      it = index.emplace(key, groups.size()).first;
      groups.push_back(std::move(g));
    }
    groups[it->second].runs.push_back(&r);
  }
  // Stable, readable order: by job name, then allocator in order of appearance.
  auto allocs = allocators_of(doc);
  auto rank = [&](const std::string& a) { return std::find(allocs.begin(), allocs.end(), a) - allocs.begin(); };
  std::stable_sort(groups.begin(), groups.end(), [&](const RunGroup& a, const RunGroup& b) {
    return a.name != b.name ? a.name < b.name : rank(a.allocator) < rank(b.allocator);
  });
  for (auto& g : groups)
    std::stable_sort(g.runs.begin(), g.runs.end(),
                     [](const json* a, const json* b) { return a->value("round", 0) < b->value("round", 0); });
  return groups;
}

std::vector<std::string> allocators_of(const json& doc) {
  std::vector<std::string> out;
  for (const auto& r : doc["runs"]) {
    std::string a = r.value("allocator", "");
    if (std::find(out.begin(), out.end(), a) == out.end()) out.push_back(a);
  }
  return out;
}

std::vector<std::pair<std::string, double>> flat_metrics(const json& run) {
  std::vector<std::pair<std::string, double>> out;
  if (!run.contains("metrics") || !run["metrics"].is_object()) return out;
  for (const auto& [k, v] : run["metrics"].items()) {
    if (v.is_number())
      out.emplace_back(k, v.get<double>());
    else if (v.is_object())
      for (const auto& [k2, v2] : v.items())
        if (v2.is_number()) out.emplace_back(k + "." + k2, v2.get<double>());
  }
  return out;
}

}  // namespace allocscope
