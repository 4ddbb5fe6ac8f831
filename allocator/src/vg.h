/* Valgrind glue.  When the process runs under Valgrind (checked once at
 * initialisation) the allocator:
 *  - disables the tcache, so every call takes the slow path below;
 *  - keeps all of its heap memory (headers, free chunks, slack) NOACCESS and
 *    brackets its own work with error reporting disabled, so a user's overflow
 *    into a header or a use after free is reported by memcheck;
 *  - describes each user block with MALLOCLIKE / FREELIKE / RESIZEINPLACE,
 *    sized exactly as requested (the request size is kept in the chunk's tail).
 * Natively bm_vg is 0 and none of this runs. */
#ifndef BM_VG_H
#define BM_VG_H

#include "common.h"

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>) && __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#include <valgrind/valgrind.h>
#define BM_HAVE_VALGRIND 1
#endif
#endif

#ifndef BM_HAVE_VALGRIND
#define BM_HAVE_VALGRIND 0
#define RUNNING_ON_VALGRIND 0
#define VALGRIND_MALLOCLIKE_BLOCK(a, b, c, d) ((void)0)
#define VALGRIND_FREELIKE_BLOCK(a, b) ((void)0)
#define VALGRIND_RESIZEINPLACE_BLOCK(a, b, c, d) ((void)0)
#define VALGRIND_MAKE_MEM_NOACCESS(a, b) ((void)0)
#define VALGRIND_MAKE_MEM_DEFINED(a, b) ((void)0)
#define VALGRIND_MAKE_MEM_UNDEFINED(a, b) ((void)0)
#define VALGRIND_DISABLE_ERROR_REPORTING ((void)0)
#define VALGRIND_ENABLE_ERROR_REPORTING ((void)0)
#endif

extern int bm_vg;

/* Entering / leaving allocator-internal work under Valgrind. */
static inline void vg_enter(void) {
  if (unlikely(bm_vg)) VALGRIND_DISABLE_ERROR_REPORTING;
}
static inline void vg_leave(void) {
  if (unlikely(bm_vg)) VALGRIND_ENABLE_ERROR_REPORTING;
}
/* Memory just obtained from the system belongs to the allocator. */
static inline void vg_noaccess(void *p, size_t n) {
  if (unlikely(bm_vg)) VALGRIND_MAKE_MEM_NOACCESS(p, n);
}

/* The Valgrind-mode entry points (vg_api.c). */
void *bm_vg_malloc(size_t n);
void bm_vg_free(void *p);
void *bm_vg_calloc(size_t n, size_t m);
void *bm_vg_realloc(void *p, size_t n);
void *bm_vg_memalign(size_t align, size_t n);
size_t bm_vg_usable_size(void *p);

#endif
