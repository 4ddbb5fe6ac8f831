/* The allocator's internal entry points (hidden); api.c, libc_api.c and
 * cxx_api.cpp wrap them under their public names. */
#ifndef BM_CORE_H
#define BM_CORE_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

struct binmalloc_mallinfo2;
struct binmalloc_stats_ex;

void *bm_malloc(size_t n);
void bm_free(void *p);
void *bm_calloc(size_t n, size_t m);
void *bm_realloc(void *p, size_t n);
void *bm_reallocarray(void *p, size_t n, size_t m);
void *bm_memalign(size_t align, size_t n);
int bm_posix_memalign(void **out, size_t align, size_t n);
void *bm_aligned_alloc(size_t align, size_t n);
void *bm_valloc(size_t n);
void *bm_pvalloc(size_t n);
size_t bm_usable_size(void *p);
int bm_malloc_trim(size_t pad);
int bm_mallopt(int param, int value);
void bm_mallinfo2(struct binmalloc_mallinfo2 *out);
void bm_malloc_stats(void);
int bm_malloc_info(int options, FILE *fp);
int bm_check_heap(void);
void bm_stats_ex(struct binmalloc_stats_ex *out);
/* The same without waiting long for a lock another thread may never release. */
void bm_stats_at_exit(struct binmalloc_stats_ex *out);
void bm_reset_counters(void);
void bm_tcache_flush_self(void);

#ifdef __cplusplus
}
#endif

#endif
