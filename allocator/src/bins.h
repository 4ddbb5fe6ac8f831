/* Bin geometry, the binmap, and list operations on bins.
 *
 * bins[1]        unsorted bin (FIFO of recently freed / split chunks)
 * bins[2..63]    small bins, exact sizes 32..1008 in 16-byte steps
 * bins[64..126]  large bins, sorted by size (largest first) with a skip list
 *                over distinct sizes (fd_nextsize / bk_nextsize)
 * Each bin is a circular doubly linked list whose head is a pseudo-chunk
 * overlaid on the bin's two words (only its fd/bk are ever touched). */
#ifndef BM_BINS_H
#define BM_BINS_H

#include "chunk.h"

#define NBINS 128
#define UNSORTED_BIN 1
#define NSMALLBINS 64
#define MIN_LARGE_SIZE ((size_t)NSMALLBINS * CHUNK_ALIGN) /* 1024 */
#define FIRST_LARGE_BIN 64
#define LAST_BIN 126
#define NFASTBINS 10
#define MAX_UNSORTED_STEPS 10000

typedef struct bin {
  chunk_t *fd;
  chunk_t *bk;
} bin_t;

struct arena;

static inline int in_smallbin_range(size_t sz) {
  return sz < MIN_LARGE_SIZE;
}
static inline unsigned smallbin_index(size_t sz) {
  return (unsigned)(sz >> 4);
}

/* Large bins.  Every boundary is a multiple of its tier's spacing, so tiers
 * meet at powers of two: 32 bins 64 B apart up to 3 KiB, 18 of 512 B up to
 * 12 KiB, 5 of 4 KiB up to 32 KiB, 3 of 32 KiB up to 128 KiB, then one bin per
 * power of two up to 2 MiB and one for everything larger.  An aligned request
 * (alignment + size, the alignment a power of two) then starts near the
 * bottom of its bin instead of above many smaller free chunks. */
static inline unsigned largebin_index(size_t sz) {
  if (sz < 3072) return 64 + (unsigned)((sz - 1024) >> 6);
  if (sz < 12288) return 96 + (unsigned)((sz - 3072) >> 9);
  if (sz < 32768) return 114 + (unsigned)((sz - 12288) >> 12);
  if (sz < 131072) return 119 + (unsigned)((sz - 32768) >> 15);
  if (sz >= ((size_t)1 << 21)) return 126;
  return 122 + (unsigned)(63 - __builtin_clzll(sz)) - 17;
}

static inline unsigned bin_index(size_t sz) {
  return in_smallbin_range(sz) ? smallbin_index(sz) : largebin_index(sz);
}

static inline unsigned fastbin_index(size_t sz) {
  return (unsigned)(sz >> 4) - 2;
}

/* Pseudo-chunk whose fd/bk alias the bin's words. */
static inline chunk_t *bin_head(bin_t *b) {
  return (chunk_t *)((char *)b - offsetof(chunk_t, fd));
}

static inline void binmap_mark(uint64_t *map, unsigned i) {
  map[i >> 6] |= 1ULL << (i & 63);
}
static inline void binmap_unmark(uint64_t *map, unsigned i) {
  map[i >> 6] &= ~(1ULL << (i & 63));
}
static inline int binmap_get(const uint64_t *map, unsigned i) {
  return (int)((map[i >> 6] >> (i & 63)) & 1);
}

/* Detach a free chunk from its doubly linked bin, checking the links. */
void bm_unlink_chunk(struct arena *a, chunk_t *p);
/* Put a free chunk into its small or large bin (keeps large bins sorted). */
void bm_bin_insert(struct arena *a, chunk_t *p, size_t sz);
/* Put a free chunk at the front of the unsorted bin; aborts with msg when the
 * bin's first link is corrupted. */
void bm_unsorted_push(struct arena *a, chunk_t *p, const char *msg);

#endif
