// jemalloc: statistics through mallctl after an epoch refresh; release by
// purging every arena.
#include <dlfcn.h>

#include <cstdint>

#include "allocator/adapters/adapter.hpp"

namespace allocscope {
namespace {

using MallctlFn = int (*)(const char*, void*, size_t*, void*, size_t);

MallctlFn mallctl_fn() {
  return reinterpret_cast<MallctlFn>(dlsym(RTLD_DEFAULT, "mallctl"));
}

AllocatorStats jemalloc_stats() {
  AllocatorStats out;
  MallctlFn mallctl = mallctl_fn();
  if (!mallctl) return out;
  uint64_t epoch = 1;
  size_t len = sizeof(epoch);
  mallctl("epoch", &epoch, &len, &epoch, len);  // refresh the cached statistics
  static const char* const keys[][2] = {{"stats.allocated", "allocated"}, {"stats.active", "active"},
                                        {"stats.resident", "resident"},   {"stats.mapped", "mapped"},
                                        {"stats.metadata", "metadata"},   {"stats.retained", "retained"}};
  for (const auto& key : keys) {
    size_t value = 0, vlen = sizeof(value);
    if (mallctl(key[0], &value, &vlen, nullptr, 0) == 0) out.add(key[1], static_cast<double>(value));
  }
  return out;
}

void jemalloc_release() {
  if (MallctlFn mallctl = mallctl_fn()) {
    // 4096 is MALLCTL_ARENAS_ALL: the purge applies to every arena.
    mallctl("arena.4096.purge", nullptr, nullptr, nullptr, 0);
  }
}

}  // namespace

ALLOCSCOPE_ADAPTER({.name = "jemalloc",
                    .doc = "jemalloc; stats: mallctl stats.* (epoch refresh); release: arena.<all>.purge",
                    .read_stats = jemalloc_stats,
                    .release = jemalloc_release});

}  // namespace allocscope
