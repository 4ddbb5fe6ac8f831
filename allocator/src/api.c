/* The prefixed public API (binmalloc.h), in both builds. */
#include "binmalloc.h"
#include "core.h"
#include "sysmem.h"

BINMALLOC_API void *binmalloc_malloc(size_t size) {
  return bm_malloc(size);
}
BINMALLOC_API void binmalloc_free(void *ptr) {
  bm_free(ptr);
}
BINMALLOC_API void *binmalloc_calloc(size_t n, size_t m) {
  return bm_calloc(n, m);
}
BINMALLOC_API void *binmalloc_realloc(void *p, size_t n) {
  return bm_realloc(p, n);
}
BINMALLOC_API void *binmalloc_reallocarray(void *p, size_t n, size_t m) {
  return bm_reallocarray(p, n, m);
}
BINMALLOC_API void *binmalloc_memalign(size_t a, size_t n) {
  return bm_memalign(a, n);
}
BINMALLOC_API int binmalloc_posix_memalign(void **out, size_t a, size_t n) {
  return bm_posix_memalign(out, a, n);
}
BINMALLOC_API void *binmalloc_aligned_alloc(size_t a, size_t n) {
  return bm_aligned_alloc(a, n);
}
BINMALLOC_API void *binmalloc_valloc(size_t n) {
  return bm_valloc(n);
}
BINMALLOC_API void *binmalloc_pvalloc(size_t n) {
  return bm_pvalloc(n);
}
BINMALLOC_API size_t binmalloc_malloc_usable_size(void *p) {
  return bm_usable_size(p);
}
BINMALLOC_API int binmalloc_malloc_trim(size_t pad) {
  return bm_malloc_trim(pad);
}
BINMALLOC_API int binmalloc_mallopt(int param, int value) {
  return bm_mallopt(param, value);
}
BINMALLOC_API struct binmalloc_mallinfo2 binmalloc_mallinfo2(void) {
  struct binmalloc_mallinfo2 mi;
  bm_mallinfo2(&mi);
  return mi;
}
BINMALLOC_API struct binmalloc_mallinfo binmalloc_mallinfo(void) {
  struct binmalloc_mallinfo2 mi;
  bm_mallinfo2(&mi);
  struct binmalloc_mallinfo r;
  r.arena = (int)mi.arena;
  r.ordblks = (int)mi.ordblks;
  r.smblks = (int)mi.smblks;
  r.hblks = (int)mi.hblks;
  r.hblkhd = (int)mi.hblkhd;
  r.usmblks = (int)mi.usmblks;
  r.fsmblks = (int)mi.fsmblks;
  r.uordblks = (int)mi.uordblks;
  r.fordblks = (int)mi.fordblks;
  r.keepcost = (int)mi.keepcost;
  return r;
}
BINMALLOC_API void binmalloc_malloc_stats(void) {
  bm_malloc_stats();
}
BINMALLOC_API int binmalloc_malloc_info(int options, FILE *fp) {
  return bm_malloc_info(options, fp);
}
BINMALLOC_API int binmalloc_check_heap(void) {
  return bm_check_heap();
}
BINMALLOC_API void binmalloc_stats_ex(struct binmalloc_stats_ex *out) {
  bm_stats_ex(out);
}
BINMALLOC_API void binmalloc_reset_counters(void) {
  bm_reset_counters();
}
BINMALLOC_API void binmalloc_tcache_flush(void) {
  bm_tcache_flush_self();
}
BINMALLOC_API int binmalloc_main_uses_brk(void) {
  return bm_sys_uses_brk();
}
