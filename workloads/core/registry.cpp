#include <algorithm>

#include "allocscope/workload.hpp"

namespace allocscope {

WorkloadRegistry& WorkloadRegistry::instance() {
  static WorkloadRegistry r;
  return r;
}

bool WorkloadRegistry::add(WorkloadInfo info) {
  std::string name = info.name;
  return by_name_.emplace(std::move(name), std::move(info)).second;
}

const WorkloadInfo* WorkloadRegistry::find(const std::string& name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : &it->second;
}

std::vector<const WorkloadInfo*> WorkloadRegistry::all() const {
  std::vector<const WorkloadInfo*> out;
  for (const auto& [_, w] : by_name_) out.push_back(&w);
  std::stable_sort(out.begin(), out.end(), [](auto* a, auto* b) {
    return a->category != b->category ? a->category < b->category : a->name < b->name;
  });
  return out;
}

}  // namespace allocscope
