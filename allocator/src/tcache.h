/* Per-thread cache: 256 LIFO singly linked bins (safe-linked), no locks.
 * The bins of glibc's cache (requests up to tcache_max, 1032 bytes) start at
 * bm_tc_count entries (glibc's 7); those above (up to 4104 bytes) start
 * empty.  A bin deepens while the thread's working set of that size proves
 * larger (tcache_adapt.c). */
#ifndef BM_TCACHE_H
#define BM_TCACHE_H

#include "chunk.h"
#include "tunables.h"

typedef struct tc_entry {
  struct tc_entry *next; /* safe-linked */
  uintptr_t key;         /* bm_tcache_key while the chunk sits in a tcache */
} tc_entry_t;

/* Depth a bin that starts empty opens at once hot (then doubles). */
#define TC_OPEN_DEPTH 2
/* Most chunks a full deepened bin returns to the arenas in one batch: the
 * newest ones, still in the processor's cache (tcache_adapt.c). */
#define TC_FLUSH_MAX 64
/* A batch returned while the thread served fewer than one malloc from its
 * cache per TC_BURST_RATIO chunks returned (counted since its previous
 * batch) is part of a burst of frees: where the thread's arena finds its
 * fastbins walked rather than reused (arena_t.coalesce_bursts), its chunks
 * are coalesced at once, while they are in the processor's cache, not left
 * in a fastbin for malloc_consolidate to walk when they are not
 * (tcache_adapt.c). */
#define TC_BURST_RATIO 16

/* tcache_t.flags bits of a bin. */
#define TC_OVERFLOWED 1 /* a free found the bin full since its last miss */
#define TC_HOT 2        /* then a malloc found it empty: the working set is deeper */

/* A thread's cache counters; those of exited threads are summed in
 * bm_exited_tcache. */
typedef struct tc_counters {
  uint64_t hits;           /* malloc served */
  uint64_t frees;          /* free absorbed */
  uint64_t grows;          /* bins deepened */
  uint64_t flushes;        /* batches returned to the arenas on overflow */
  uint64_t refills;        /* chunks carved from top into the cache in a batch */
  uint64_t growth_returns; /* times the cache gave back its excess before the heap grew */
} tc_counters_t;

typedef struct tcache {
  uint16_t counts[TCACHE_BINS];
  uint16_t limits[TCACHE_BINS]; /* depth of each bin: tc_base_depth(i)..bm_tc_depth */
  uint8_t flags[TCACHE_BINS];
  tc_entry_t *entries[TCACHE_BINS];
  size_t grown[2]; /* capacity added beyond the starting depths, in bytes:
                      [0] glibc's bins (bm_tc_bytes), [1] those above (bm_tc_large_bytes) */
  /* Frees of another arena's chunks held back to return in one batch (remote.c). */
  tc_entry_t *remote;
  struct arena *remote_arena;
  unsigned remote_count;
  size_t remote_bytes;
  tc_counters_t ctr;
  uint64_t hits_at_flush; /* ctr.hits at the last batch returned on overflow */
  uint64_t arena_mallocs; /* requests the arena served for this thread (bm_int_malloc) */
  uint64_t above_mallocs; /* requests above the exact bins, the arena's and the class bins' hits (decayed) */
  uint64_t share_base;    /* allocations (hits + arena_mallocs) left out of the share by decay */
} tcache_t;

extern tc_counters_t bm_exited_tcache; /* under bm_list_lock */

extern BM_TLS tcache_t *bm_tcache;
extern BM_TLS int bm_tcache_state; /* 0 = not yet, 1 = live, 2 = off (exiting / failed) */
/* 1 when the thread's cache may give back its excess before the heap grows
 * (bm_tcache_return_excess_to): set when this thread grows a heap, cleared
 * when the cache gives back, so that it does so at most once per growth. */
extern BM_TLS int bm_tc_may_return;
extern uintptr_t bm_tcache_key;
/* Copies of the parameters read by the fast paths. */
extern size_t bm_tc_max_req;            /* largest request the tcache serves */
extern size_t bm_tc_nbins;              /* bins in use */
extern size_t bm_tc_fixed_bins;         /* bins that start at bm_tc_count; the rest start empty */
extern size_t bm_tc_count;              /* entries per bin to start with (and the fixed depth) */
extern size_t bm_tc_depth;              /* deepest a bin may grow */
extern size_t bm_tc_bytes;              /* growth budget of one thread's cache, in bytes, at least */
extern size_t bm_tc_shared_bytes;       /* the same shared by all threads' caches (0 with bm_tc_bytes 0) */
extern size_t bm_tc_large_bytes;        /* the same for a thread's bins above the fixed ones */
extern size_t bm_tc_large_shared_bytes; /* and shared (0 with bm_tc_large_bytes 0) */
extern size_t bm_tc_above_share; /* those grow within half of it while > 1 in this many requests are above (0: never) */
extern unsigned bm_tc_live;      /* threads with a cache (atomic) */

static inline size_t tc_index(size_t chunk_size) {
  return (chunk_size - MIN_CHUNK) >> 4;
}

/* Above the exact bins (chunks of 4112 bytes and less), the cache holds
 * chunks of a few sizes only, eight per doubling: 4608, 5120, ..., 8192,
 * 9216, ..., 32768 (bm_tc_class_max, BINMALLOC_TCACHE_LARGE_MAX).  Every
 * request in that range is rounded up to the next of them (at most 1/8 of
 * the chunk more), so that a chunk one thread frees serves the next request
 * of its class whatever its exact size: requests drawn from a wide range of
 * sizes (rptest's 8-16000 bytes) would seldom meet a cached chunk of their
 * own exact size. */
#define TC_EXACT_MAX_CHUNK (MIN_CHUNK + (TCACHE_EXACT_BINS - 1) * CHUNK_ALIGN)
extern size_t bm_tc_class_max; /* largest chunk of the class bins, 0 when they are off */

/* Class of a chunk size in (TC_EXACT_MAX_CHUNK, 32768]. */
static inline size_t tc_class_of(size_t nb) {
  size_t x = nb - 1;
  unsigned lg = 63u - (unsigned)__builtin_clzl(x); /* x in [2^lg, 2^(lg+1)), lg >= 12 */
  size_t base = (size_t)1 << lg;
  return (lg - 12) * 8 + (x - base) / (base >> 3);
}
static inline size_t tc_class_size(size_t cls) {
  size_t base = (size_t)4096 << (cls >> 3);
  return base + ((cls & 7) + 1) * (base >> 3);
}

static inline size_t tc_chunk_size(size_t idx) {
  return idx < TCACHE_EXACT_BINS ? MIN_CHUNK + idx * CHUNK_ALIGN : tc_class_size(idx - TCACHE_EXACT_BINS);
}

/* The chunk size an arena request of nb is served with: nb, or within the
 * class bins' range the class's size. */
static inline size_t tc_round_request(size_t nb) {
  return nb > TC_EXACT_MAX_CHUNK && nb <= bm_tc_class_max ? tc_class_size(tc_class_of(nb)) : nb;
}

/* The bin a chunk of sz bytes may be cached in, or TCACHE_BINS when none: a
 * chunk in the class range whose size is not its class's exactly (carved by
 * memalign, grown or shrunk in place by realloc) goes to its arena. */
static inline size_t tc_bin_of(size_t sz) {
  size_t idx = tc_index(sz);
  if (idx < bm_tc_nbins) return idx;
  if (sz <= TC_EXACT_MAX_CHUNK || sz > bm_tc_class_max) return TCACHE_BINS;
  size_t cls = tc_class_of(sz);
  return tc_class_size(cls) == sz ? TCACHE_EXACT_BINS + cls : TCACHE_BINS;
}

/* Bins that serve every request up to n bytes, and the largest request the
 * first nbins bins serve. */
static inline size_t tc_bins_for(size_t n) {
  return tc_index(request2size(n)) + 1;
}
static inline size_t tc_max_request(size_t nbins) {
  return nbins ? tc_chunk_size(nbins - 1) - SIZE_SZ : 0;
}

/* Depth a bin starts at: glibc's count for its bins (requests up to
 * tcache_max), none above; those bins fill only once they prove hot. */
static inline size_t tc_base_depth(size_t idx) {
  return idx < bm_tc_fixed_bins ? bm_tc_count : 0;
}

static inline void tc_counters_add(tc_counters_t *to, const tc_counters_t *from) {
  to->hits += from->hits;
  to->frees += from->frees;
  to->grows += from->grows;
  to->flushes += from->flushes;
  to->refills += from->refills;
  to->growth_returns += from->growth_returns;
}

/* Capacity the fixed bins (large = 0) or those above them (large = 1) have
 * added beyond their starting depths: the sum of the extra entries times
 * their chunk size, counted from the depths (tc->grown[large] keeps the same
 * sum as the bins deepen, bounded by its budget). */
size_t bm_tcache_grown_bytes(const tcache_t *tc, int large);
/* A thread's share of `total` with `threads` threads that have a cache: all
 * of it for a thread alone, halved for each further thread, and never less
 * than `floor`. */
static inline size_t tc_share(size_t total, size_t floor, unsigned threads) {
  size_t share = threads <= 1 ? total : threads > 64 ? 0 : total >> (threads - 1);
  return share > floor ? share : floor;
}
/* The budget of the fixed bins (large = 0: bm_tc_shared_bytes shared, at
 * least bm_tc_bytes) or of those above them (large = 1:
 * bm_tc_large_shared_bytes shared, at least bm_tc_large_bytes).  One or two
 * busy threads may cache a working set of megabytes; from four or so on,
 * each holds no more than the floor, and together the threads' shares never
 * pass the shared total by more than those floors.  A thread's share is
 * taken when a bin deepens (tc_budget); a thread that grew while it was
 * alone keeps what it added until its bins flush, so the heap check holds it
 * to tc_budget_for(large, 1). */
static inline size_t tc_budget_for(int large, unsigned threads) {
  return large ? tc_share(bm_tc_large_shared_bytes, bm_tc_large_bytes, threads)
               : tc_share(bm_tc_shared_bytes, bm_tc_bytes, threads);
}
static inline size_t tc_budget(int large) {
  return tc_budget_for(large, __atomic_load_n(&bm_tc_live, __ATOMIC_RELAXED));
}

/* The bins above the fixed ones (1-32 KiB) grow within half their budget
 * while more than one in bm_tc_above_share (BINMALLOC_TCACHE_ABOVE_SHARE, 8;
 * 0: never) of the thread's allocations is above the exact bins (4 KiB),
 * served by the arena or by a class bin.  The arena serves such requests
 * from free chunks and top, where the chunks a deep bin holds would have
 * been coalesced and reused: a thread with sizes up to 16 KiB (rptest)
 * peaked 1.4 MiB (13 %) above the C library with the whole budget before
 * the class bins, and with them 0.5 MiB more than with half (rptest t=1
 * 1000 iterations, 7 runs: 12.0 against 11.5 MiB, the C library 10.7); one
 * whose sizes all fit in the exact bins (mt-churn) gets a quarter of its
 * speed from the whole budget.  Counted over the thread's recent
 * allocations, cache hits plus the arena's requests: past TC_ABOVE_WINDOW of
 * them both counts are halved until they are back under it, so that a phase
 * of large requests (a program loading its input) is forgotten. */
#define TC_ABOVE_WINDOW 65536
static inline int tc_above_share_high(tcache_t *tc) {
  uint64_t seen = tc->arena_mallocs + tc->ctr.hits - tc->share_base;
  while (seen > TC_ABOVE_WINDOW) {
    tc->above_mallocs /= 2;
    tc->share_base += seen / 2;
    seen -= seen / 2;
  }
  return bm_tc_above_share && tc->above_mallocs * bm_tc_above_share > seen;
}
/* Counts a request the arena serves for the calling thread (bm_int_malloc). */
static inline void tc_count_arena_malloc(size_t nb) {
  tcache_t *tc = bm_tcache;
  if (!tc) return;
  tc->arena_mallocs++;
  if (tc_index(nb) >= bm_tc_nbins) tc->above_mallocs++;
}

BM_NORETURN BM_COLD void bm_tcache_unaligned(void);

static inline void *tcache_pop(tcache_t *tc, size_t idx, tc_entry_t *e) {
  tc_entry_t *next = (tc_entry_t *)reveal_ptr(&e->next, e->next);
  if (unlikely(misaligned_ptr(next))) bm_tcache_unaligned();
  tc->entries[idx] = next;
  tc->counts[idx]--;
  e->key = 0;
  return e;
}

static inline void tcache_push(tcache_t *tc, size_t idx, chunk_t *c) {
  tc_entry_t *e = (tc_entry_t *)chunk2mem(c);
  e->key = bm_tcache_key;
  e->next = (tc_entry_t *)protect_ptr(&e->next, tc->entries[idx]);
  tc->entries[idx] = e;
  tc->counts[idx]++;
}

/* Remote frees in batches (remote.c): at most this many chunks or bytes wait. */
#define REMOTE_MAX_CHUNKS 32
#define REMOTE_MAX_BYTES (64UL * 1024)
struct arena;
/* Holds back the free of p (size bytes, owned by arena a, not the caller's);
 * returns the held chunks to their arena under one lock when they are many
 * or a chunk of another arena comes. */
void bm_remote_defer(tcache_t *tc, struct arena *a, chunk_t *p, size_t size);
/* Returns every held chunk to its arena. */
void bm_remote_flush(tcache_t *tc);
/* 1 when mem is among the held chunks. */
int bm_remote_holds(const tcache_t *tc, const void *mem);

/* Sets up the calling thread's tcache (slow path); returns it or NULL. */
tcache_t *bm_tcache_init(void);
/* Verifies a suspected double free (key matched); aborts if it is one. */
void bm_tcache_double_free_check(tcache_t *tc, size_t idx, tc_entry_t *e);
/* Returns every cached chunk to its arena. */
void bm_tcache_flush_all(tcache_t *tc);
void bm_tcache_setup_key(void);
/* A free found bin idx full: deepens the bin (when it is hot and the budget
 * allows) or returns its newest half, at most TC_FLUSH_MAX chunks, to the
 * arenas in one batch, then caches p.
 * Returns 0 when the bin keeps its fixed depth: p then goes to the arena. */
int bm_tcache_overflow(tcache_t *tc, size_t idx, chunk_t *p);
/* The same, with the common case inline: a bin at the fixed depth that is
 * not hot only records the overflow (once), as cheaply as glibc's full bin. */
static inline int tcache_overflow(tcache_t *tc, size_t idx, chunk_t *p) {
  uint8_t f = tc->flags[idx];
  if (likely(!(f & TC_HOT) && tc->limits[idx] <= bm_tc_count)) {
    if (!(f & TC_OVERFLOWED)) tc->flags[idx] = (uint8_t)(f | TC_OVERFLOWED);
    return 0;
  }
  return bm_tcache_overflow(tc, idx, p);
}
/* p, a fastbin-sized chunk of another arena, found its bin full at the fixed
 * depth (a consumer thread that frees what others allocated): the bin's
 * chunks go back to their arenas as one chain per arena, one
 * compare-and-swap for the lot instead of one per free, and p is cached.
 * Returns 0 (nothing done) when the bin is not full or has deepened (a
 * deepened bin flushes a batch of itself in bm_tcache_overflow). */
int bm_tcache_return_remote(tcache_t *tc, chunk_t *p, size_t size);
/* Every bin back to the starting depth, not hot (the bins must be empty). */
void bm_tcache_reset_depths(tcache_t *tc);
/* A chunk of FASTBIN_CONSOLIDATION_THRESHOLD bytes or more is being freed:
 * the bins a burst of frees filled (full since their last miss) return
 * what they hold beyond their starting depth to the arenas, to be coalesced
 * there; bins still cycling keep theirs. */
void bm_tcache_return_stale(tcache_t *tc);
/* A malloc of arena a (its lock held) found no chunk and would grow the
 * heap: every bin gives back what it holds beyond its starting depth, the
 * newest entries, to be coalesced into a's bins and top without trimming.
 * Chunks of other arenas stay cached, in their order (their locks are not
 * held).  The bins return to those depths and must prove hot again.
 * Returns the number of chunks given back. */
unsigned bm_tcache_return_excess_to(tcache_t *tc, struct arena *a);
/* A malloc found bin idx empty. */
static inline void tcache_note_miss(tcache_t *tc, size_t idx) {
  if (tc->flags[idx] & TC_OVERFLOWED) tc->flags[idx] = TC_HOT;
}
/* Carves more chunks of bin idx's size from the arena's top into the cache
 * (under the arena lock) when the bin has grown: one lock, many mallocs.
 * Leaves the arena's record of the last split (calloc's) as it found it. */
void bm_tcache_refill_from_top(struct arena *a, tcache_t *tc, size_t idx);
/* In a forked child: the forking thread is the only one left. */
void bm_tcache_fork_child(void);
/* Arranges for the thread-exit hook (tcache flush, arena detach) to run. */
void bm_thread_register_exit(void);

#endif
