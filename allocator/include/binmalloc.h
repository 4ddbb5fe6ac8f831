/* binmalloc: allocscope's ptmalloc-style allocator.
 *
 * Prefixed API (always available, in both the static library and the drop-in
 * libbinmalloc.so) plus introspection used by tests and the harness.  The
 * drop-in library additionally exports the plain libc names (malloc, free, ...)
 * and the C++ allocation operators. */
#ifndef BINMALLOC_H
#define BINMALLOC_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define BINMALLOC_API __attribute__((visibility("default")))
#else
#define BINMALLOC_API
#endif

/* mallopt parameter numbers (same values as glibc's <malloc.h>). */
#define BINMALLOC_M_MXFAST 1
#define BINMALLOC_M_TRIM_THRESHOLD -1
#define BINMALLOC_M_TOP_PAD -2
#define BINMALLOC_M_MMAP_THRESHOLD -3
#define BINMALLOC_M_MMAP_MAX -4
#define BINMALLOC_M_CHECK_ACTION -5 /* accepted, no effect: corruption always aborts */
#define BINMALLOC_M_PERTURB -6
#define BINMALLOC_M_ARENA_TEST -7
#define BINMALLOC_M_ARENA_MAX -8

/* Same layout as glibc's struct mallinfo2. */
struct binmalloc_mallinfo2 {
  size_t arena;    /* non-mmapped space from the system */
  size_t ordblks;  /* number of free chunks (including top) */
  size_t smblks;   /* number of fastbin chunks */
  size_t hblks;    /* number of mmapped chunks */
  size_t hblkhd;   /* bytes in mmapped chunks */
  size_t usmblks;  /* always 0 */
  size_t fsmblks;  /* bytes in fastbin chunks */
  size_t uordblks; /* bytes in use (non-mmapped) */
  size_t fordblks; /* free bytes (non-mmapped) */
  size_t keepcost; /* size of the main arena's top chunk */
};

/* Same layout as glibc's (deprecated) struct mallinfo. */
struct binmalloc_mallinfo {
  int arena, ordblks, smblks, hblks, hblkhd, usmblks, fsmblks, uordblks, fordblks, keepcost;
};

BINMALLOC_API void *binmalloc_malloc(size_t size);
BINMALLOC_API void binmalloc_free(void *ptr);
BINMALLOC_API void *binmalloc_calloc(size_t nmemb, size_t size);
BINMALLOC_API void *binmalloc_realloc(void *ptr, size_t size);
BINMALLOC_API void *binmalloc_reallocarray(void *ptr, size_t nmemb, size_t size);
BINMALLOC_API void *binmalloc_memalign(size_t alignment, size_t size);
BINMALLOC_API int binmalloc_posix_memalign(void **memptr, size_t alignment, size_t size);
BINMALLOC_API void *binmalloc_aligned_alloc(size_t alignment, size_t size);
BINMALLOC_API void *binmalloc_valloc(size_t size);
BINMALLOC_API void *binmalloc_pvalloc(size_t size);
BINMALLOC_API size_t binmalloc_malloc_usable_size(void *ptr);
BINMALLOC_API int binmalloc_malloc_trim(size_t pad);
BINMALLOC_API int binmalloc_mallopt(int param, int value);
BINMALLOC_API struct binmalloc_mallinfo2 binmalloc_mallinfo2(void);
BINMALLOC_API struct binmalloc_mallinfo binmalloc_mallinfo(void);
BINMALLOC_API void binmalloc_malloc_stats(void);
BINMALLOC_API int binmalloc_malloc_info(int options, FILE *fp);

/* Walks every arena and verifies the chunk chain, every bin, the tcache of the
 * calling thread, the fastbins and the binmap.  On a fault it prints
 * "binmalloc: heap check: <what>" on stderr and aborts; returns 0 when OK. */
BINMALLOC_API int binmalloc_check_heap(void);

/* Per-path counters: which part of the allocator served requests.  Counters
 * of the tcache are per thread; binmalloc_stats_ex() adds the calling thread's
 * tcache counters and those of exited threads to the arena counters. */
struct binmalloc_stats_ex {
  /* malloc paths */
  uint64_t tcache_hits;         /* malloc served from the tcache */
  uint64_t fastbin_hits;        /* served from a fastbin */
  uint64_t smallbin_hits;       /* exact fit from a small bin */
  uint64_t unsorted_hits;       /* exact fit found while sorting the unsorted bin */
  uint64_t last_remainder_hits; /* split of the last_remainder chunk */
  uint64_t largebin_hits;       /* best fit from the request's large bin */
  uint64_t binmap_hits;         /* chunk found by the binmap scan of larger bins */
  uint64_t top_hits;            /* split from the top chunk */
  uint64_t sysmalloc_calls;     /* top too small: asked the system */
  uint64_t heap_grows;          /* brk / pseudo-brk / heap mprotect growth */
  uint64_t mmap_chunks;         /* direct mmapped chunks allocated */
  uint64_t munmap_chunks;       /* direct mmapped chunks released */
  uint64_t mremap_calls;        /* realloc of mmapped chunks via mremap */
  /* free paths */
  uint64_t tcache_frees;    /* free into the tcache */
  uint64_t fastbin_frees;   /* free into a fastbin */
  uint64_t bin_frees;       /* free into the unsorted bin / top under lock */
  uint64_t consolidations;  /* malloc_consolidate runs */
  uint64_t trims;           /* top trims that returned memory */
  uint64_t trimmed_bytes;   /* bytes returned by trims */
  uint64_t madvised_bytes;  /* bytes returned by malloc_trim's madvise */
  uint64_t realloc_inplace; /* realloc served without moving */
  uint64_t remote_frees;    /* frees of chunks owned by another arena */
  /* current state */
  uint64_t mmap_threshold;
  uint64_t trim_threshold;
  uint64_t top_pad;
  uint64_t mmapped_chunks_live;
  uint64_t mmapped_bytes_live;
  uint64_t narenas;
  uint64_t main_system_bytes; /* bytes obtained by the main arena */
  uint64_t main_top_size;     /* size of the main arena's top chunk */
  uint64_t tcache_count;      /* entries per tcache bin */
  uint64_t tcache_max_bytes;  /* largest request its bins start at tcache_count for */
  uint64_t max_fast;          /* largest fastbin chunk size */
  /* the adaptive thread cache (counters: calling thread plus exited threads) */
  uint64_t tcache_depth_max;     /* deepest a tcache bin may grow */
  uint64_t tcache_bytes_budget;  /* capacity the calling thread's bins up to tcache_max_bytes may
                                    add now: its share of the shared budget, at least the floor */
  uint64_t tcache_grown_bytes;   /* capacity the calling thread's bins added (<= the two budgets) */
  uint64_t tcache_cached_bytes;  /* bytes in chunks in the calling thread's cache */
  uint64_t tcache_cached_chunks; /* chunks in the calling thread's cache */
  uint64_t tcache_grows;         /* times a bin deepened */
  uint64_t tcache_flushes;       /* batches a full deepened bin returned to the arenas */
  uint64_t tcache_refills;       /* chunks carved from top into a deepened bin in a batch */
  /* largest request cached at all: bins above tcache_max_bytes start empty
   * and fill once hot */
  uint64_t tcache_large_max_bytes;
  uint64_t tcache_large_bytes_budget;        /* capacity the calling thread's bins above tcache_max_bytes
                                                may add now: its share of their shared budget, at least
                                                their floor */
  uint64_t tcache_large_grown_bytes;         /* capacity they added in the calling thread */
  uint64_t tcache_shared_bytes_budget;       /* budget of the bins up to tcache_max_bytes, all threads */
  uint64_t tcache_threads;                   /* threads with a cache (they share that budget) */
  uint64_t tcache_large_shared_bytes_budget; /* budget of the bins above tcache_max_bytes, all threads */
  /* fastbin refills, with threads, that moved a fastbin's whole list to the
   * arena's backlog in one exchange (the backlog serves the refills after) */
  uint64_t fastbin_takes;
  /* times a thread's cache gave back what it held beyond its starting depths
   * because a malloc would otherwise have grown the heap */
  uint64_t tcache_growth_returns;
};

/* (In C++ the function hides the struct tag: use binmalloc_stats_t.) */
typedef struct binmalloc_stats_ex binmalloc_stats_t;

BINMALLOC_API void binmalloc_stats_ex(struct binmalloc_stats_ex *out);
/* Zeroes the counters (not the current-state fields). */
BINMALLOC_API void binmalloc_reset_counters(void);
/* Empties the calling thread's tcache into its arena and returns every bin to
 * its starting depth (useful in tests). */
BINMALLOC_API void binmalloc_tcache_flush(void);
/* 1 when the main arena grows with brk, 0 when it uses the mmapped pseudo-brk
 * region (static library build). */
BINMALLOC_API int binmalloc_main_uses_brk(void);

#ifdef __cplusplus
}
#endif

#endif /* BINMALLOC_H */
