#include "harness/report/run_groups.hpp"

#include <algorithm>
#include <map>

namespace allocscope {

std::vector<RunGroup> group_by_job(const Results& doc) {
  std::vector<RunGroup> groups;
  std::map<std::string, size_t> index;
  for (const auto& r : doc.runs) {
    if (!r.counts()) continue;
    std::string key = r.job.cell_key(true);
    auto it = index.find(key);
    if (it == index.end()) {
      RunGroup g;
      g.allocator = r.job.allocator;
      g.workload = r.job.workload;
      g.threads = r.job.threads;
      g.name = r.job.bench_name();
      it = index.emplace(key, groups.size()).first;
      groups.push_back(std::move(g));
    }
    groups[it->second].runs.push_back(&r);
  }
  // Stable, readable order: by job name, then allocator in order of appearance.
  auto allocs = allocators_of(doc.runs);
  auto rank = [&](const std::string& a) { return std::find(allocs.begin(), allocs.end(), a) - allocs.begin(); };
  std::stable_sort(groups.begin(), groups.end(), [&](const RunGroup& a, const RunGroup& b) {
    return a.name != b.name ? a.name < b.name : rank(a.allocator) < rank(b.allocator);
  });
  for (auto& g : groups)
    std::stable_sort(g.runs.begin(), g.runs.end(),
                     [](const RunRecord* a, const RunRecord* b) { return a->job.round < b->job.round; });
  return groups;
}

}  // namespace allocscope
