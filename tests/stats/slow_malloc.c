/* Test-only allocator shim: forwards malloc to the next malloc in the link
 * chain (glibc) after busy-waiting ALLOCSCOPE_SLOW_NS nanoseconds (default
 * 1000) per call. The wait is a calibrated loop, not a clock loop: in these
 * VMs a clock read costs ~100 ns, far too coarse for small delays.
 * ALLOCSCOPE_SLOW_ITERS=N instead spins exactly N loop iterations per call: a
 * fixed number of extra instructions, for gates on instruction counts
 * (under Valgrind a time-calibrated loop would be 50x too short).
 * ALLOCSCOPE_SLOW_EVERY=K spins on one call in K only (per thread), for
 * slowdowns finer than one short busy-wait per call can give: the shortest
 * wait still costs a few ns (the loop's exit branch), 12% of a fast malloc.
 * Preloaded as a user allocator
 * (--allocator-lib slow=/path/libslow_malloc.so) it is a known, injected
 * slowdown that the gate must flag. Everything else (free, realloc, ...) is
 * glibc's, so memory metrics do not change. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>
#include <stdlib.h>
#include <time.h>

static void* (*next_malloc)(size_t);
static double delay_ns = -1;
static int resolving;

/* Should dlsym call malloc while malloc is being resolved, those requests are
 * served from a small static arena (a safety net; glibc's dlsym does not
 * normally allocate through malloc on this path). */
static char arena[4096];
static size_t arena_used;

static long spin_iterations;
static long spin_every = 1;
static __thread long countdown __attribute__((tls_model("initial-exec")));

static void spin_loop(long n) {
  for (long i = 0; i < n; ++i) __asm__ volatile("" ::: "memory");
}

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

/* Iterations of spin_loop per ns: the fastest of several short trials (a
 * trial that was preempted is slower and is discarded). */
static double calibrate(void) {
  const long n = 1L << 18;
  double best = 1e300;
  for (int i = 0; i < 7; ++i) {
    double t0 = now_ns();
    spin_loop(n);
    double t = now_ns() - t0;
    if (t > 0 && t < best) best = t;
  }
  return (double)n / best;
}

static void init(void) {
  resolving = 1;
  next_malloc = (void* (*)(size_t))dlsym(RTLD_NEXT, "malloc");
  resolving = 0;
  const char* env = getenv("ALLOCSCOPE_SLOW_NS");
  delay_ns = env ? strtod(env, NULL) : 1000; /* fractions allowed */
  const char* iters = getenv("ALLOCSCOPE_SLOW_ITERS");
  if (iters)
    spin_iterations = atol(iters);
  else if (delay_ns > 0)
    spin_iterations = (long)(calibrate() * delay_ns + 0.5);
  const char* every = getenv("ALLOCSCOPE_SLOW_EVERY");
  if (every && atol(every) > 1) spin_every = atol(every);
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
  if (spin_iterations > 0 && --countdown <= 0) {
    countdown = spin_every;
    spin_loop(spin_iterations);
  }
  return next_malloc(n);
}
