/* Arenas (malloc states), non-main heaps and thread attachment. */
#ifndef BM_ARENA_H
#define BM_ARENA_H

#include "bins.h"
#include "lock.h"
#include "sysmem.h"

typedef struct bm_counters {
  uint64_t fastbin_hits, smallbin_hits, unsorted_hits, last_remainder_hits, largebin_hits, binmap_hits, top_hits;
  uint64_t sysmalloc_calls, heap_grows, fastbin_frees, bin_frees, consolidations, trims, trimmed_bytes;
  uint64_t madvised_bytes, realloc_inplace, remote_frees, fastbin_takes;
} bm_counters_t;

#define MAX_MAIN_SEGMENTS 64

typedef struct arena {
  bm_lock_t lock;
  /* Bursts of frees from a thread cache are coalesced at once instead of
   * going to the fastbins (tcache_adapt.c); malloc_consolidate (malloc.c)
   * turns it on when its fastbins were walked there rather than reused, and
   * off when they were reused.  Relaxed atomic: read without the lock. */
  int coalesce_bursts;
  size_t fast_reused;  /* fastbin chunks malloc took since the last consolidation (with the lock) */
  int noncontiguous;   /* main arena: the break could not be extended contiguously */
  size_t nm;           /* NON_MAIN_ARENA for other arenas, 0 for the main one */
  size_t empty_top[4]; /* size-0 pseudo chunk used as top before the first sysmalloc */
  /* Read by every push from another thread: on the fastbins' line, not on
   * the lock's, which the owner's refills write (xmalloc, 2026-12-03). */
  int have_fastchunks;
  chunk_t *fastbins[NFASTBINS];
  chunk_t *top;
  chunk_t *last_remainder;
  bin_t bins[NBINS];
  uint64_t binmap[NBINS / 64];
  struct arena *next;      /* all arenas */
  struct arena *next_free; /* arenas without attached threads */
  size_t attached_threads;
  size_t system_mem;
  size_t max_system_mem;
  struct heap_info *heap; /* non-main: newest heap */
  /* [fresh_from, end of top) came from the system and was never handed out,
   * so it is still zero; the last top split records its boundary for calloc. */
  char *fresh_from;
  chunk_t *split_victim;
  char *split_fresh;
  /* Fastbin chunks a pop took off fastbins[i] with one exchange and did not
   * use yet (with the lock; see bm_fastbin_pop_run). */
  chunk_t *fast_backlog[NFASTBINS];
  bm_counters_t ctr;
} arena_t;

/* A non-main arena's heap: HEAP_MAX_SIZE-aligned, reserved PROT_NONE and
 * committed from the front as it grows, so the heap of a chunk is a mask. */
typedef struct heap_info {
  arena_t *ar;
  struct heap_info *prev;
  size_t size;      /* bytes in use from the heap start */
  size_t committed; /* bytes made read-write */
  /* 1 while no thread is attached to the arena (set under bm_list_lock and
   * the arena's lock, read without either): other threads' frees then
   * return its chunks rather than keep them in their caches' deep bins, where
   * they would keep the arena from coalescing and trimming for as long as
   * those threads live.  A line of its own: the arena's lock follows. */
  int orphaned;
} __attribute__((aligned(64))) heap_info_t;

/* The chunk belongs to an arena no thread is attached to (a hint). */
static inline int chunk_orphaned(chunk_t *c) {
  return __atomic_load_n(&((heap_info_t *)((uintptr_t)c & ~(HEAP_MAX_SIZE - 1)))->orphaned, __ATOMIC_RELAXED);
}

/* Main-arena segments: [start, end) ranges; the last one ends at top's end. */
typedef struct segment {
  char *start;
  char *end;
} segment_t;

extern arena_t bm_main_arena;
extern segment_t bm_main_segs[MAX_MAIN_SEGMENTS];
extern int bm_main_nsegs;
extern bm_lock_t bm_list_lock; /* arena list, free list, counters of exited threads */
extern size_t bm_narenas;
extern size_t bm_narenas_linked;
extern int bm_inited;
extern BM_TLS arena_t *bm_thread_arena;

void bm_init(void);
static inline void bm_ensure_init(void) {
  if (unlikely(!bm_inited)) bm_init();
}
void bm_arena_init(arena_t *a);

static inline heap_info_t *heap_for_ptr(void *p) {
  return (heap_info_t *)((uintptr_t)p & ~(HEAP_MAX_SIZE - 1));
}
static inline arena_t *arena_for_chunk(chunk_t *c) {
  return non_main(c) ? heap_for_ptr(c)->ar : &bm_main_arena;
}

/* The calling thread's arena, attaching one on first use (never NULL). */
arena_t *bm_arena_attach(void);
static inline arena_t *bm_arena_get(void) {
  arena_t *a = bm_thread_arena;
  if (likely(a != NULL)) return a;
  return bm_arena_attach();
}
/* Another arena to retry a failed allocation of nb chunk bytes in (NULL if
 * none could do better than the one that failed). */
arena_t *bm_arena_retry(arena_t *failed, size_t nb);
/* Thread exit: detach the thread from its arena. */
void bm_arena_thread_exit(void);

/* Non-main heaps. */
heap_info_t *bm_new_heap(size_t need);
int bm_grow_heap(heap_info_t *h, size_t diff);
void bm_shrink_heap(heap_info_t *h, size_t new_size);
/* First chunk address of a heap. */
chunk_t *bm_heap_first_chunk(heap_info_t *h);

/* Splits nb bytes off the front of top (top must hold nb + MIN_CHUNK). */
static inline chunk_t *bm_split_top(arena_t *a, size_t nb) {
  chunk_t *victim = a->top;
  size_t size = chunksize(victim);
  chunk_t *rem = chunk_at(victim, nb);
  a->top = rem;
  set_head(victim, nb | PREV_INUSE | a->nm);
  set_head(rem, (size - nb) | PREV_INUSE | a->nm);
  a->split_victim = victim;
  a->split_fresh = a->fresh_from;
  /* top's new header is written: freshness starts after it */
  if ((char *)rem + CHUNK_HDR > a->fresh_from) a->fresh_from = (char *)rem + CHUNK_HDR;
  return victim;
}
/* Top now ends at end: the fresh part cannot extend past it. */
static inline void bm_top_shrunk(arena_t *a, char *end) {
  if (a->fresh_from > end) a->fresh_from = end;
}

/* Core entry points used across files (malloc.c, free.c). */
void *bm_int_malloc(arena_t *a, size_t nb);
void bm_int_free_locked(arena_t *a, chunk_t *p, size_t sz);
/* The same without trimming top (the caller is about to grow it). */
void bm_int_free_locked_no_trim(arena_t *a, chunk_t *p, size_t sz);
void bm_malloc_consolidate(arena_t *a);
int bm_extend_top(arena_t *a, size_t nb);
void bm_munmap_chunk(chunk_t *p);
int bm_systrim(arena_t *a, size_t pad);
int bm_heap_trim(arena_t *a, size_t pad, int force);
/* Between the two calls, frees by this thread that would trim an arena
 * leave it to bm_trim_release (no lock held), which trims once. */
void bm_trim_hold(void);
void bm_trim_release(void);
/* free() minus the tcache: takes the owner arena's lock. */
void bm_free_to_arena(chunk_t *p, size_t sz);
/* malloc() minus the tcache: picks the arena, locks, retries; sets errno. */
void *bm_malloc_from_arena(size_t nb);
/* The retry half of it, for a caller whose own try in `failed` gave nothing. */
void *bm_malloc_retry(arena_t *failed, size_t nb);

void bm_free_chunk_locked(arena_t *a, chunk_t *p, size_t size);
void bm_free_mmapped_or_arena(chunk_t *p);
void *bm_int_memalign(arena_t *a, size_t align, size_t nb);

extern uint64_t bm_mmapped_live, bm_mmapped_bytes_live, bm_mmapped_total, bm_munmapped_total, bm_mremaps;

#endif
