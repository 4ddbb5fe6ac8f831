// Statistics of ptmalloc-style allocators (glibc, binmalloc) via mallinfo2,
// and release via malloc_trim(0). Both resolve to the preloaded allocator.
#include <malloc.h>

#include "allocator/adapters/adapter.hpp"

namespace allocscope {

AllocatorStats read_mallinfo2_stats() {
  struct mallinfo2 mi = mallinfo2();
  AllocatorStats out;
  out.add("arena", static_cast<double>(mi.arena));
  out.add("ordblks", static_cast<double>(mi.ordblks));
  out.add("hblks", static_cast<double>(mi.hblks));
  out.add("hblkhd", static_cast<double>(mi.hblkhd));
  out.add("uordblks", static_cast<double>(mi.uordblks));
  out.add("fordblks", static_cast<double>(mi.fordblks));
  out.add("keepcost", static_cast<double>(mi.keepcost));
  out.add("fsmblks", static_cast<double>(mi.fsmblks));
  return out;
}

void release_with_malloc_trim() {
  malloc_trim(0);
}

}  // namespace allocscope
