/* Reports "corruption" on the Nth malloc and aborts, as allocators do. */
#include <string.h>
#include <unistd.h>

#include "tests/reliability/shims/shim_common.h"

static long calls;

void* malloc(size_t n) {
  if (++calls == shim_n(2000)) {
    static const char msg[] = "abort_shim: malloc(): corrupted top size (test)\n";
    ssize_t ignored = write(2, msg, sizeof msg - 1);
    (void)ignored;
    abort();
  }
  return __libc_malloc(n);
}
