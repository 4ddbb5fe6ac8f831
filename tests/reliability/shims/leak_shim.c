/* Leaks 1 MiB (touched) with every malloc, until the memory limit; then
 * malloc returns NULL (RLIMIT_AS) or the OOM killer strikes (cgroup). */
#include <string.h>

#include "tests/reliability/shims/shim_common.h"

void* malloc(size_t n) {
  void* leak = __libc_malloc(1 << 20);
  if (!leak) return NULL; /* out of memory, as an allocator at its limit */
  memset(leak, 1, 1 << 20);
  return __libc_malloc(n);
}
