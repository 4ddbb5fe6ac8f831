// Statistics of ptmalloc-style allocators (glibc, binmalloc) via mallinfo2,
// and release via malloc_trim(0). Both resolve to the preloaded allocator.
#include <malloc.h>

#include "adapter.hpp"

namespace allocscope {

AllocatorStats read_mallinfo2_stats() {
  struct mallinfo2 mi = mallinfo2();
  return {{"arena", static_cast<double>(mi.arena)},      {"ordblks", static_cast<double>(mi.ordblks)},
          {"hblks", static_cast<double>(mi.hblks)},      {"hblkhd", static_cast<double>(mi.hblkhd)},
          {"uordblks", static_cast<double>(mi.uordblks)}, {"fordblks", static_cast<double>(mi.fordblks)},
          {"keepcost", static_cast<double>(mi.keepcost)}, {"fsmblks", static_cast<double>(mi.fsmblks)}};
}

void release_with_malloc_trim() { malloc_trim(0); }

}  // namespace allocscope
