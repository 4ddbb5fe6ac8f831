/* Helpers shared by the binmalloc acceptance test programs.
 *
 * Every program is a plain C/C++ program calling the real libc allocation
 * entry points.  The test driver runs it either with LD_PRELOAD pointing at
 * libbinmalloc.so (and BMTEST_EXPECT_BINMALLOC=1 in the environment) or with
 * no preload, to validate the program itself against glibc.
 *
 * Conventions:
 *   - a failed check prints "FAIL: file:line: message" on stderr and the
 *     program exits with status 1 at the end (bm_finish);
 *   - nothing else is printed on stderr unless the scenario asks for it;
 *   - bm_finish() verifies, when BMTEST_EXPECT_BINMALLOC is set, that the
 *     allocation functions really come from binmalloc and that
 *     binmalloc_check_heap() returns 0.
 */
#ifndef BM_PROG_H
#define BM_PROG_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef __cplusplus
extern "C" {
#endif

static int bm_failures = 0;

static inline void bm_fail(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static inline void bm_fail(const char *file, int line, const char *fmt, ...) {
  /* One write per message, so lines from concurrent processes or threads
   * do not interleave. */
  char buf[1024];
  int n = snprintf(buf, sizeof buf, "FAIL: %s:%d: ", file, line);
  if (n < 0) n = 0;
  if ((size_t)n >= sizeof buf) n = (int)sizeof buf - 1;
  va_list ap;
  va_start(ap, fmt);
  int m = vsnprintf(buf + n, sizeof buf - (size_t)n, fmt, ap);
  va_end(ap);
  size_t len = (size_t)n + (m > 0 ? (size_t)m : 0);
  if (len > sizeof buf - 2) len = sizeof buf - 2;
  buf[len++] = '\n';
  fflush(stderr);
  ssize_t ignored = write(2, buf, len);
  (void)ignored;
  ++bm_failures;
}

#define BM_CHECK(cond)                                                   \
  do {                                                                   \
    if (!(cond)) bm_fail(__FILE__, __LINE__, "check failed: %s", #cond); \
  } while (0)

#define BM_CHECKF(cond, ...)                               \
  do {                                                     \
    if (!(cond)) bm_fail(__FILE__, __LINE__, __VA_ARGS__); \
  } while (0)

/* Hide a value from the optimizer so that allocation calls are neither
 * folded nor elided and no compile-time size diagnostics trigger. */
static inline void *bm_launder(void *p) {
  __asm__ volatile("" : "+r"(p) : : "memory");
  return p;
}
static inline size_t bm_opaque_size(size_t n) {
  __asm__ volatile("" : "+r"(n));
  return n;
}

/* Header words of a ptmalloc-layout chunk (64-bit): prev_size at user-16,
 * size|flags at user-8. */
static inline size_t *bm_hdr(void *user) {
  return (size_t *)((char *)bm_launder(user) - 16);
}
static inline size_t bm_chunk_size(void *user) {
  return bm_hdr(user)[1] & ~(size_t)7;
}
static inline int bm_is_mmapped(void *user) {
  return (bm_hdr(user)[1] & 2) != 0;
}

/* ptmalloc request -> chunk size on 64-bit. */
static inline size_t bm_request2size(size_t req) {
  size_t n = (req + 8 + 15) & ~(size_t)15;
  return n < 32 ? 32 : n;
}

static inline int bm_expect_binmalloc(void) {
  const char *e = getenv("BMTEST_EXPECT_BINMALLOC");
  return e != NULL && e[0] == '1';
}

/* Name of the object that defines the symbol as seen by the program. */
static inline const char *bm_symbol_owner(const char *name) {
  void *sym = dlsym(RTLD_DEFAULT, name);
  if (sym == NULL) return NULL;
  Dl_info info;
  if (dladdr(sym, &info) == 0 || info.dli_fname == NULL) return "?";
  return info.dli_fname;
}

/* Check that `name` resolves into libbinmalloc (only when expected). */
static inline void bm_check_symbol_interposed(const char *name) {
  if (!bm_expect_binmalloc()) return;
  const char *owner = bm_symbol_owner(name);
  BM_CHECKF(owner != NULL && strstr(owner, "binmalloc") != NULL,
            "symbol %s is not provided by libbinmalloc (owner: %s)", name, owner ? owner : "(undefined)");
}

typedef int (*bm_check_heap_fn)(void);

/* Call binmalloc_check_heap() if binmalloc is expected; it must exist and
 * return 0. */
static inline void bm_check_heap(const char *where) {
  if (!bm_expect_binmalloc()) return;
  void *sym = dlsym(RTLD_DEFAULT, "binmalloc_check_heap");
  if (sym == NULL) {
    bm_fail(__FILE__, __LINE__, "%s: binmalloc_check_heap not found: libbinmalloc is not interposed", where);
    return;
  }
  bm_check_heap_fn fn;
  memcpy(&fn, &sym, sizeof fn);
  int rc = fn();
  BM_CHECKF(rc == 0, "%s: binmalloc_check_heap() returned %d", where, rc);
}

static inline int bm_finish(void) {
  bm_check_symbol_interposed("malloc");
  bm_check_symbol_interposed("free");
  bm_check_heap("end of program");
  fflush(stdout);
  return bm_failures == 0 ? 0 : 1;
}

/* Fill / verify a deterministic byte pattern. */
static inline unsigned char bm_pattern_byte(size_t seed, size_t i) {
  return (unsigned char)((i * 131u + seed * 7u + (i >> 8)) & 0xff);
}
static inline void bm_fill(void *p, size_t n, size_t seed) {
  unsigned char *c = (unsigned char *)p;
  for (size_t i = 0; i < n; ++i) c[i] = bm_pattern_byte(seed, i);
}
/* Returns the first mismatching index or (size_t)-1. */
static inline size_t bm_verify(const void *p, size_t n, size_t seed) {
  const unsigned char *c = (const unsigned char *)p;
  for (size_t i = 0; i < n; ++i)
    if (c[i] != bm_pattern_byte(seed, i)) return i;
  return (size_t)-1;
}

#ifdef __cplusplus
}
#endif

#endif /* BM_PROG_H */
