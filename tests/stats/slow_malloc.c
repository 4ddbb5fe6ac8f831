/* Test-only allocator shim: forwards malloc to the next malloc in the link
 * chain (glibc) after busy-waiting ALLOCSCOPE_SLOW_NS nanoseconds (default
 * 1000) per call. Preloaded as a user allocator
 * (--allocator-lib slow=/path/libslow_malloc.so) it is a known, injected
 * slowdown that the gate must flag. Everything else (free, realloc, ...) is
 * glibc's, so memory metrics do not change. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>
#include <stdlib.h>
#include <time.h>

static void* (*next_malloc)(size_t);
static long delay_ns = -1;
static int resolving;

/* Should dlsym call malloc while malloc is being resolved, those requests are
 * served from a small static arena (a safety net; glibc's dlsym does not
 * normally allocate through malloc on this path). */
static char arena[4096];
static size_t arena_used;

static void init(void) {
  resolving = 1;
  next_malloc = (void* (*)(size_t))dlsym(RTLD_NEXT, "malloc");
  resolving = 0;
  const char* env = getenv("ALLOCSCOPE_SLOW_NS");
  delay_ns = env ? atol(env) : 1000;
}

static void spin(long ns) {
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  do clock_gettime(CLOCK_MONOTONIC, &b);
  while ((b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec) < ns);
}

void* malloc(size_t n) {
  if (!next_malloc) {
    if (resolving) {
      size_t start = (arena_used + 15) & ~(size_t)15;
      if (start + n > sizeof arena) return NULL;
      arena_used = start + n;
      return arena + start;
    }
    init();
  }
  if (delay_ns > 0) spin(delay_ns);
  return next_malloc(n);
}
