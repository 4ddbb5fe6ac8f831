/* Hangs forever in the Nth malloc. */
#include <unistd.h>

#include "tests/reliability/shims/shim_common.h"

static long calls;

void* malloc(size_t n) {
  if (++calls == shim_n(2000))
    for (;;) pause();
  return __libc_malloc(n);
}
