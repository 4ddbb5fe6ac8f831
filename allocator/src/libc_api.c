/* The libc names exported by the drop-in libbinmalloc.so (never compiled into
 * the static library).  Each forwards to the hidden core entry point. */
#include <stddef.h>
#include <stdio.h>

#include "binmalloc.h"
#include "core.h"

#define EXPORT __attribute__((visibility("default")))

EXPORT void *malloc(size_t n) {
  return bm_malloc(n);
}
EXPORT void free(void *p) {
  bm_free(p);
}
EXPORT void cfree(void *p) {
  bm_free(p);
}
EXPORT void *calloc(size_t n, size_t m) {
  return bm_calloc(n, m);
}
EXPORT void *realloc(void *p, size_t n) {
  return bm_realloc(p, n);
}
EXPORT void *reallocarray(void *p, size_t n, size_t m) {
  return bm_reallocarray(p, n, m);
}
EXPORT void *memalign(size_t a, size_t n) {
  return bm_memalign(a, n);
}
EXPORT int posix_memalign(void **out, size_t a, size_t n) {
  return bm_posix_memalign(out, a, n);
}
EXPORT void *aligned_alloc(size_t a, size_t n) {
  return bm_aligned_alloc(a, n);
}
EXPORT void *valloc(size_t n) {
  return bm_valloc(n);
}
EXPORT void *pvalloc(size_t n) {
  return bm_pvalloc(n);
}
EXPORT size_t malloc_usable_size(void *p) {
  return bm_usable_size(p);
}
EXPORT int malloc_trim(size_t pad) {
  return bm_malloc_trim(pad);
}
EXPORT int mallopt(int param, int value) {
  return bm_mallopt(param, value);
}
EXPORT struct binmalloc_mallinfo2 mallinfo2(void) {
  return binmalloc_mallinfo2();
}
EXPORT struct binmalloc_mallinfo mallinfo(void) {
  return binmalloc_mallinfo();
}
EXPORT void malloc_stats(void) {
  bm_malloc_stats();
}
EXPORT int malloc_info(int options, FILE *fp) {
  return bm_malloc_info(options, fp);
}

/* glibc-internal aliases some programs and libraries call directly. */
EXPORT void *__libc_malloc(size_t n) {
  return bm_malloc(n);
}
EXPORT void __libc_free(void *p) {
  bm_free(p);
}
EXPORT void *__libc_calloc(size_t n, size_t m) {
  return bm_calloc(n, m);
}
EXPORT void *__libc_realloc(void *p, size_t n) {
  return bm_realloc(p, n);
}
EXPORT void *__libc_memalign(size_t a, size_t n) {
  return bm_memalign(a, n);
}
EXPORT void *__libc_valloc(size_t n) {
  return bm_valloc(n);
}
EXPORT void *__libc_pvalloc(size_t n) {
  return bm_pvalloc(n);
}
EXPORT int __posix_memalign(void **out, size_t a, size_t n) {
  return bm_posix_memalign(out, a, n);
}
