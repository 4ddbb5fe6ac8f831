// mimalloc: mi_process_info for statistics, mi_collect(true) to release.
#include <dlfcn.h>

#include "allocator/adapters/adapter.hpp"

namespace allocscope {
namespace {

AllocatorStats mimalloc_stats() {
  AllocatorStats out;
  using InfoFn = void (*)(size_t*, size_t*, size_t*, size_t*, size_t*, size_t*, size_t*, size_t*);
  auto info = reinterpret_cast<InfoFn>(dlsym(RTLD_DEFAULT, "mi_process_info"));
  if (!info) return out;
  size_t elapsed = 0, user = 0, sys = 0, rss = 0, peak_rss = 0, commit = 0, peak_commit = 0, faults = 0;
  info(&elapsed, &user, &sys, &rss, &peak_rss, &commit, &peak_commit, &faults);
  out.add("current_rss", static_cast<double>(rss));
  out.add("peak_rss", static_cast<double>(peak_rss));
  out.add("current_commit", static_cast<double>(commit));
  out.add("peak_commit", static_cast<double>(peak_commit));
  out.add("page_faults", static_cast<double>(faults));
  return out;
}

void mimalloc_release() {
  using CollectFn = void (*)(bool);
  if (auto f = reinterpret_cast<CollectFn>(dlsym(RTLD_DEFAULT, "mi_collect"))) f(true);
}

}  // namespace

ALLOCSCOPE_ADAPTER({.name = "mimalloc",
                    .doc = "mimalloc; stats: mi_process_info; release: mi_collect(true)",
                    .read_stats = mimalloc_stats,
                    .release = mimalloc_release});

}  // namespace allocscope
