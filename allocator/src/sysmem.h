/* The OS layer: the only code that calls brk/sbrk, mmap, munmap, mremap,
 * madvise and mprotect. */
#ifndef BM_SYSMEM_H
#define BM_SYSMEM_H

#include "common.h"

#define HEAP_MAX_SIZE (64UL * 1024 * 1024) /* non-main arena heaps, also their alignment */

extern size_t bm_pagesize;

void bm_sys_init(void);
/* Moves the main arena's break by incr bytes (may be negative or 0) and
 * returns the old break, or NULL on failure.  The shared library uses sbrk; the
 * static library (which shares the process with glibc's brk heap) uses a
 * reserved mmapped region instead. */
void *bm_sys_morecore(intptr_t incr);
int bm_sys_uses_brk(void);
/* Anonymous read-write mapping, NULL on failure. */
void *bm_sys_mmap(size_t len);
int bm_sys_munmap(void *p, size_t len);
/* Resize a mapping (may move); NULL on failure. */
void *bm_sys_mremap(void *p, size_t old_len, size_t new_len);
/* Give pages back to the kernel but keep the mapping (MADV_DONTNEED). */
void bm_sys_dontneed(void *p, size_t len);
/* Reserve an aligned PROT_NONE region of len bytes aligned to len; NULL on failure. */
void *bm_sys_reserve_aligned(size_t len);
/* Make [p, p+len) read-write / inaccessible again (pages released). */
int bm_sys_commit(void *p, size_t len);
void bm_sys_decommit(void *p, size_t len);

#endif
