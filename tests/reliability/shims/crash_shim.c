/* Crashes (SIGSEGV) on the Nth malloc. */
#include "tests/reliability/shims/shim_common.h"

static long calls;

void* malloc(size_t n) {
  if (++calls == shim_n(2000)) *(volatile int*)0 = 1;
  return __libc_malloc(n);
}
