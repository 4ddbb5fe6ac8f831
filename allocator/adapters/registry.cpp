// The built-in allocators: each adapter file registers itself
// (ALLOCSCOPE_ADAPTER) when cmake/Allocators.cmake found its library.
#include <algorithm>
#include <utility>

#include "allocator/adapters/adapter.hpp"

namespace allocscope {
namespace {

struct Ranked {
  int rank;
  Adapter adapter;
};

// Filled during static initialisation, before main.
std::vector<Ranked>& registered() {
  static std::vector<Ranked> all;
  return all;
}

}  // namespace

AdapterRegistration::AdapterRegistration(int rank, const char* library, const char* version, Adapter adapter) {
  adapter.preload = library;
  if (adapter.version.empty()) adapter.version = *version ? version : "unknown";
  registered().push_back({rank, std::move(adapter)});
}

const std::vector<Adapter>& builtin_adapters() {
  static const std::vector<Adapter> all = [] {
    std::vector<Ranked> ranked = registered();
    std::sort(ranked.begin(), ranked.end(), [](const Ranked& a, const Ranked& b) { return a.rank < b.rank; });
    std::vector<Adapter> v;
    for (auto& r : ranked) v.push_back(std::move(r.adapter));
    return v;
  }();
  return all;
}

}  // namespace allocscope
