// tcmalloc (gperftools, minimal build): MallocExtension C API.
#include <dlfcn.h>

#include "allocator/adapters/adapter.hpp"

namespace allocscope {
namespace {

AllocatorStats tcmalloc_stats() {
  AllocatorStats out;
  using GetFn = int (*)(const char*, size_t*);
  auto get = reinterpret_cast<GetFn>(dlsym(RTLD_DEFAULT, "MallocExtension_GetNumericProperty"));
  if (!get) return out;
  for (const char* key : {"generic.current_allocated_bytes", "generic.heap_size", "tcmalloc.pageheap_free_bytes",
                          "tcmalloc.pageheap_unmapped_bytes"}) {
    size_t value = 0;
    if (get(key, &value)) out.add(key, static_cast<double>(value));
  }
  return out;
}

void tcmalloc_release() {
  using ReleaseFn = void (*)();
  if (auto f = reinterpret_cast<ReleaseFn>(dlsym(RTLD_DEFAULT, "MallocExtension_ReleaseFreeMemory"))) f();
}

}  // namespace

ALLOCSCOPE_ADAPTER({.name = "tcmalloc",
                    .doc = "tcmalloc from gperftools (minimal); stats: MallocExtension numeric properties; "
                           "release: MallocExtension_ReleaseFreeMemory",
                    .read_stats = tcmalloc_stats,
                    .release = tcmalloc_release});

}  // namespace allocscope
