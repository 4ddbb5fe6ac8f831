/* Allocator parameters: defaults, environment tunables, mallopt. */
#ifndef BM_TUNABLES_H
#define BM_TUNABLES_H

#include "common.h"

#define DEFAULT_MMAP_THRESHOLD (128UL * 1024)
#define DEFAULT_MMAP_THRESHOLD_MAX (32UL * 1024 * 1024) /* half a heap */
#define DEFAULT_TRIM_THRESHOLD (128UL * 1024)
#define DEFAULT_TOP_PAD (128UL * 1024)
#define DEFAULT_MMAP_MAX 65536
#define DEFAULT_MXFAST 128UL /* request bytes */
#define MAX_MXFAST 160UL     /* request bytes */
#define DEFAULT_TCACHE_COUNT 7
#define MAX_TCACHE_COUNT 65535
#define TCACHE_EXACT_BINS 256 /* a chunk size each up to 4112 (above bin 63 only when adaptive) */
#define TCACHE_CLASS_BINS 24  /* then an eighth of a doubling each, up to 32 KiB chunks (tcache.h) */
#define TCACHE_BINS (TCACHE_EXACT_BINS + TCACHE_CLASS_BINS)
#define DEFAULT_TCACHE_DEPTH 32768                        /* deepest a bin may grow (entries) */
#define DEFAULT_TCACHE_BYTES (512UL * 1024)               /* growth budget per thread (bytes), at least */
#define DEFAULT_TCACHE_SHARED_BYTES (4096UL * 1024)       /* the same, shared by the threads' caches */
#define DEFAULT_TCACHE_LARGE_BYTES (512UL * 1024)         /* the same, bins above tcache_max */
#define DEFAULT_TCACHE_LARGE_SHARED_BYTES (4096UL * 1024) /* and shared by the threads' caches */
#define DEFAULT_TCACHE_ABOVE_SHARE 8UL                    /* half of it while > 1 in this many requests are above */
#define MAX_TCACHE_ABOVE_SHARE 65536UL                    /* largest value the variable takes */
#define DEFAULT_TCACHE_MAX 1032UL                         /* request bytes -> chunk 1040, bin 63 */
#define EXACT_TCACHE_LARGE_MAX 4104UL                     /* request bytes -> chunk 4112, bin 255 */
#define DEFAULT_TCACHE_LARGE_MAX 32760UL                  /* request bytes -> chunk 32768, the last class bin */
#define DEFAULT_ARENA_TEST 8                              /* 64-bit */
#define FASTBIN_CONSOLIDATION_THRESHOLD (64UL * 1024)

typedef struct bm_params {
  size_t mmap_threshold;
  size_t trim_threshold;
  size_t top_pad;
  int n_mmaps_max;
  int no_dyn_threshold; /* set once the user picks any of the above */
  int perturb_byte;
  size_t arena_test;
  size_t arena_max; /* 0 = automatic */
  size_t max_fast;  /* largest fastbin chunk size, 0 = fastbins off */
  size_t tcache_count;
  size_t tcache_max_bytes;
  size_t tcache_bins;               /* bins that start at tcache_count (glibc's cache) */
  size_t tcache_large_bins;         /* all bins of one chunk size, with those above that start empty */
  size_t tcache_class_max;          /* largest chunk of the class bins above them (0: none) */
  size_t tcache_depth;              /* deepest a bin may grow; <= tcache_count: fixed depth */
  size_t tcache_bytes;              /* capacity a thread's bins may add beyond tcache_count, at least */
  size_t tcache_shared_bytes;       /* the same for all threads together: each may add its share */
  size_t tcache_large_bytes;        /* capacity the bins above tcache_max may add */
  size_t tcache_large_shared_bytes; /* the same for all threads together */
  size_t tcache_above_share;        /* and half of it while > 1 in this many requests are above 4 KiB (0: never) */
  int valgrind_mode;                /* -1 auto (RUNNING_ON_VALGRIND), 0 off, 1 on */
} bm_params_t;

extern bm_params_t bm_mp;

/* Read BINMALLOC_* variables; called once from initialisation. */
void bm_tunables_init(void);
/* Convert a mallopt M_MXFAST request value to a chunk size limit. */
size_t bm_mxfast_to_chunk(size_t request);
int bm_mallopt(int param, int value);

#endif
