/* calloc returns memory that is not zeroed (a conformance bug for stress). */
#include <string.h>

#include "tests/reliability/shims/shim_common.h"

void* calloc(size_t n, size_t size) {
  void* p = __libc_calloc(n, size);
  if (p && n * size >= 64) memset(p, 0xee, 8);
  return p;
}
