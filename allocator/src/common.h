/* Shared compiler helpers and constants of the binmalloc core. */
#ifndef BM_COMMON_H
#define BM_COMMON_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define BM_HIDDEN __attribute__((visibility("hidden")))
#define BM_EXPORT __attribute__((visibility("default")))
#define BM_NOINLINE __attribute__((noinline))
#define BM_COLD __attribute__((cold, noinline))
#define BM_NORETURN __attribute__((noreturn))
#define BM_TLS __thread __attribute__((tls_model("initial-exec")))

#define BM_PAGE_DEFAULT 4096UL

/* Aborts with "<msg>\n" on stderr: the C library's text, no prefix, so that
 * programs and test suites that match the message see the same line. */
BM_NORETURN BM_COLD void bm_fatal(const char *msg);
/* Aborts with "binmalloc: heap check: <what>\n" on stderr. */
BM_NORETURN BM_COLD void bm_check_fail(const char *what);

static inline size_t bm_align_up(size_t v, size_t a) {
  return (v + a - 1) & ~(a - 1);
}
static inline size_t bm_align_down(size_t v, size_t a) {
  return v & ~(a - 1);
}

#endif
