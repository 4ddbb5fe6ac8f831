/* A tiny preload library that only counts allocation calls by kind and
 * writes the totals to $TRACE_COUNT_OUT at exit: an independent count to
 * check the recorder against. It forwards to glibc's __libc_* entry points
 * (no dlsym), so it shares no code or mechanism with the recorder. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern void* __libc_malloc(size_t);
extern void* __libc_calloc(size_t, size_t);
extern void* __libc_realloc(void*, size_t);
extern void __libc_free(void*);
extern void* __libc_memalign(size_t, size_t);
extern void* __libc_valloc(size_t);
extern void* __libc_pvalloc(size_t);

enum {
  C_MALLOC,
  C_CALLOC,
  C_REALLOC,
  C_REALLOCARRAY,
  C_FREE,
  C_MEMALIGN,
  C_POSIX_MEMALIGN,
  C_ALIGNED_ALLOC,
  C_VALLOC,
  C_PVALLOC,
  C_N
};
static const char* const names[C_N] = {"malloc",   "calloc",         "realloc",       "reallocarray", "free",
                                       "memalign", "posix_memalign", "aligned_alloc", "valloc",       "pvalloc"};
static atomic_ulong counts[C_N];

#define COUNT(k) atomic_fetch_add_explicit(&counts[k], 1, memory_order_relaxed)

void* malloc(size_t n) {
  COUNT(C_MALLOC);
  return __libc_malloc(n);
}
void* calloc(size_t a, size_t b) {
  COUNT(C_CALLOC);
  return __libc_calloc(a, b);
}
void* realloc(void* p, size_t n) {
  COUNT(C_REALLOC);
  return __libc_realloc(p, n);
}
void* reallocarray(void* p, size_t a, size_t b) {
  COUNT(C_REALLOCARRAY);
  size_t n;
  if (__builtin_mul_overflow(a, b, &n)) {
    errno = ENOMEM;
    return NULL;
  }
  return __libc_realloc(p, n);
}
void free(void* p) {
  COUNT(C_FREE);
  __libc_free(p);
}
void* memalign(size_t a, size_t n) {
  COUNT(C_MEMALIGN);
  return __libc_memalign(a, n);
}
int posix_memalign(void** out, size_t a, size_t n) {
  COUNT(C_POSIX_MEMALIGN);
  if (a < sizeof(void*) || (a & (a - 1))) return EINVAL;
  void* p = __libc_memalign(a, n);
  if (!p) return ENOMEM;
  *out = p;
  return 0;
}
void* aligned_alloc(size_t a, size_t n) {
  COUNT(C_ALIGNED_ALLOC);
  return __libc_memalign(a, n);
}
void* valloc(size_t n) {
  COUNT(C_VALLOC);
  return __libc_valloc(n);
}
void* pvalloc(size_t n) {
  COUNT(C_PVALLOC);
  return __libc_pvalloc(n);
}

__attribute__((destructor)) static void report(void) {
  const char* path = getenv("TRACE_COUNT_OUT");
  if (!path) return;
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return;
  char buf[1024];
  int len = 0;
  for (int k = 0; k < C_N; ++k)
    len += snprintf(buf + len, sizeof buf - (size_t)len, "%s %lu\n", names[k], atomic_load(&counts[k]));
  if (write(fd, buf, (size_t)len) < 0) { /* nothing to do */
  }
  close(fd);
}
