/* free paths: tcache fast path, fastbins, coalescing into the unsorted bin or
 * top, mmapped chunks, and trimming of the main break / non-main heaps. */
#include "arena.h"
#include "coalesce.h"
#include "core.h"
#include "fastbin.h"
#include "tcache.h"
#include "tunables.h"
#include "vg.h"

/* ---- trimming -------------------------------------------------------------- */
int bm_systrim(arena_t *a, size_t pad) {
  chunk_t *top = a->top;
  size_t top_size = chunksize(top);
  if (top_size <= pad + MIN_CHUNK) return 0;
  size_t release = bm_align_down(top_size - pad - MIN_CHUNK, bm_pagesize);
  if (release == 0) return 0;
  char *top_end = (char *)top + top_size;
  if ((char *)bm_sys_morecore(0) != top_end) return 0; /* someone else moved the break */
  int saved = errno;
  bm_sys_morecore(-(intptr_t)release);
  char *now = (char *)bm_sys_morecore(0);
  errno = saved;
  if (!now || now >= top_end) return 0;
  size_t released = (size_t)(top_end - now);
  a->system_mem -= released;
  set_head(top, (top_size - released) | PREV_INUSE);
  bm_top_shrunk(a, now);
  a->ctr.trims++;
  a->ctr.trimmed_bytes += released;
  return 1;
}

/* Removes whole empty heaps from the end of a non-main arena, then shrinks the
 * newest heap when its top is larger than the trim threshold. */
int bm_heap_trim(arena_t *a, size_t pad, int force) {
  int did = 0;
  heap_info_t *h = a->heap;
  while (h->prev && a->top == bm_heap_first_chunk(h)) {
    heap_info_t *ph = h->prev;
    chunk_t *fence2 = (chunk_t *)((char *)ph + ph->size - FENCE_SIZE);
    size_t f1 = fence2->prev_size;
    chunk_t *start = chunk_before(fence2, f1);
    size_t tsize = f1 + FENCE_SIZE;
    if (!prev_inuse(start)) {
      size_t ps = start->prev_size;
      start = chunk_before(start, ps);
      if (unlikely(chunksize(start) != ps)) bm_fatal("corrupted size vs. prev_size");
      bm_unlink_chunk(a, start);
      tsize += ps;
    }
    a->system_mem -= h->size;
    a->heap = ph;
    int saved = errno;
    bm_sys_munmap(h, HEAP_MAX_SIZE);
    errno = saved;
    set_head(start, tsize | PREV_INUSE | a->nm);
    a->top = start;
    a->fresh_from = (char *)start + tsize; /* the old heap's tail is not fresh */
    a->ctr.trims++;
    did = 1;
    h = ph;
  }
  chunk_t *top = a->top;
  size_t top_size = chunksize(top);
  if ((!force && top_size < bm_mp.trim_threshold) || top_size <= pad + MIN_CHUNK) return did;
  size_t extra = bm_align_down(top_size - pad - MIN_CHUNK, bm_pagesize);
  if (!extra) return did;
  size_t new_hsize = h->size - extra;
  size_t before = h->size;
  int saved = errno;
  bm_shrink_heap(h, new_hsize);
  errno = saved;
  size_t released = before - h->size;
  if (!released) return did;
  a->system_mem -= released;
  set_head(top, (top_size - released) | PREV_INUSE | a->nm);
  bm_top_shrunk(a, (char *)h + h->size);
  a->ctr.trims++;
  a->ctr.trimmed_bytes += released;
  return 1;
}

/* ---- chunk release ---------------------------------------------------------- */
void bm_munmap_chunk(chunk_t *p) {
  size_t total = p->prev_size + chunksize(p);
  char *base = (char *)p - p->prev_size;
  if (unlikely((((uintptr_t)base | total) & (bm_pagesize - 1)) != 0)) bm_fatal("munmap_chunk(): invalid pointer");
  __atomic_sub_fetch(&bm_mmapped_live, 1, __ATOMIC_RELAXED);
  __atomic_sub_fetch(&bm_mmapped_bytes_live, total, __ATOMIC_RELAXED);
  __atomic_add_fetch(&bm_munmapped_total, 1, __ATOMIC_RELAXED);
  int saved = errno;
  bm_sys_munmap(base, total);
  errno = saved;
}

/* Normal (non-fast) free under the arena lock. */
#define BM_INLINE static inline __attribute__((always_inline))

/* The trim a free of 64 KiB or more (after coalescing) may make, under the
 * arena lock. */
static void trim_if_due(arena_t *a) {
  size_t ts = chunksize(a->top);
  if (a == &bm_main_arena) {
    /* only when a whole page can go (systrim would find nothing otherwise) */
    if (ts >= bm_mp.trim_threshold && ts >= bm_mp.top_pad + MIN_CHUNK + bm_pagesize) bm_systrim(a, bm_mp.top_pad);
  } else {
    /* only when a heap can go or a page can be released */
    heap_info_t *h = a->heap;
    if ((h->prev && (uintptr_t)a->top - (uintptr_t)h < bm_pagesize) ||
        (ts >= bm_mp.trim_threshold && ts >= bm_mp.top_pad + MIN_CHUNK + bm_pagesize))
      bm_heap_trim(a, bm_mp.top_pad, 0);
  }
}

/* Trims held back while a thread empties its whole cache (at its exit, or
 * binmalloc_tcache_flush): the chunks reach top one after another, newest
 * (highest) first, and each would shrink the heap again by a few pages, one
 * madvise or brk call each (with a TLB shootdown of the other CPUs when the
 * process has threads).  One arena's trim is held; the first free of another
 * arena's chunk that would trim trims at once.  Holds nest.  (Not around the
 * flush of half a deep bin: the calls in that loop cost Hoard's threadtest a
 * fifth of its speed, and its chunks reach top rarely.) */
static BM_TLS int trim_holding;
static BM_TLS arena_t *trim_held;

void bm_trim_hold(void) {
  trim_holding++;
}

void bm_trim_release(void) {
  if (--trim_holding) return; /* an outer hold trims */
  arena_t *a = trim_held;
  if (!a) return;
  trim_held = NULL;
  int need = bm_need_lock();
  if (need) bm_lock(&a->lock);
  trim_if_due(a);
  if (need) bm_unlock(&a->lock);
}

/* may_trim 0: a malloc about to grow the heap gives back its cache's chunks
 * first (bm_tcache_return_excess_to); trimming top then would undo what the
 * growth is about to add. */
BM_INLINE void int_free_locked(arena_t *a, chunk_t *p, size_t size, int may_trim) {
  chunk_t *next = chunk_at(p, size);
  if (unlikely(p == a->top)) bm_fatal("double free or corruption (top)");
  if (a == &bm_main_arena) {
    if (bm_main_nsegs == 1 && !a->noncontiguous && (char *)next >= (char *)a->top + chunksize(a->top))
      bm_fatal("double free or corruption (out)");
  } else {
    heap_info_t *h = heap_for_ptr(p);
    if ((char *)next >= (char *)h + h->size) bm_fatal("double free or corruption (out)");
  }
  if (unlikely(!prev_inuse(next))) bm_fatal("double free or corruption (!prev)");
  size_t nsize = chunksize(next);
  if (unlikely(nsize < FENCE_SIZE || nsize >= a->system_mem)) bm_fatal("free(): invalid next size (normal)");
  if (unlikely(bm_mp.perturb_byte)) memset(chunk2mem(p), bm_mp.perturb_byte & 0xff, size - CHUNK_HDR);
  size = bm_release_chunk(a, p, size, "corrupted size vs. prev_size while consolidating");
  a->ctr.bin_frees++;
  if (size >= FASTBIN_CONSOLIDATION_THRESHOLD) {
    bm_malloc_consolidate(a);
    if (!may_trim) return;
    if (unlikely(trim_holding) && (!trim_held || trim_held == a)) {
      trim_held = a;
      return;
    }
    trim_if_due(a);
  }
}

static inline int bad_next_size(arena_t *a, chunk_t *next) {
  size_t nsize = chunksize(next);
  return nsize < FENCE_SIZE || nsize >= __atomic_load_n(&a->system_mem, __ATOMIC_RELAXED);
}

/* Without the lock, the next chunk may be top while another thread trims it:
 * top's old size read against the arena's already reduced system_mem looks
 * like a corrupt chunk.  Only a check that also fails under the lock is one. */
BM_NOINLINE BM_COLD void bm_fast_next_size_failed(arena_t *a, chunk_t *next, int locked) {
  int bad = 1;
  if (!locked) {
    bm_lock(&a->lock);
    bad = bad_next_size(a, next);
    bm_unlock(&a->lock);
  }
  if (bad) bm_fatal("free(): invalid next size (fast)");
}

/* Push onto a fastbin; needs no lock (see fastbin.h).  locked: the caller
 * holds the arena lock, or the process has a single thread.  The caller
 * counts the free. */
BM_INLINE void free_fast(arena_t *a, chunk_t *p, size_t size, int mt, int locked) {
  bm_fastbin_prepare(a, p, size, locked);
  bm_fastbin_push(a, fastbin_index(size), p, mt);
}

/* Free of a chunk that is not mmapped, under the arena lock: fastbin or bins. */
BM_INLINE void free_chunk_locked(arena_t *a, chunk_t *p, size_t size) {
  if (size <= bm_mp.max_fast) {
    free_fast(a, p, size, bm_need_lock(), 1);
    bm_count(&a->ctr.fastbin_frees);
    return;
  }
  int_free_locked(a, p, size, 1);
}

void bm_int_free_locked(arena_t *a, chunk_t *p, size_t size) {
  int_free_locked(a, p, size, 1);
}
void bm_int_free_locked_no_trim(arena_t *a, chunk_t *p, size_t size) {
  int_free_locked(a, p, size, 0);
}
void bm_free_chunk_locked(arena_t *a, chunk_t *p, size_t size) {
  free_chunk_locked(a, p, size);
}

/* may_hold: another arena's chunk that would take its lock may be held back
 * for a batch (remote.c); not when the cache itself is being emptied. */
BM_INLINE void free_to_arena(chunk_t *p, size_t size, int may_hold) {
  if (unlikely(size < MIN_CHUNK || (size & CHUNK_ALIGN_MASK))) bm_fatal("free(): invalid size");
  arena_t *a = arena_for_chunk(p);
  int need = bm_need_lock();
  tcache_t *tc;
  if (may_hold && need && a != bm_thread_arena && (tc = bm_tcache) != NULL) {
    if (size > bm_mp.max_fast) return bm_remote_defer(tc, a, p, size);
    if (bm_tcache_return_remote(tc, p, size)) return;
  }
  arena_t *counted = bm_count_free_of(a, bm_thread_arena);
  if (size <= bm_mp.max_fast) {
    free_fast(a, p, size, need, !need);
    bm_count(&counted->ctr.fastbin_frees);
    return;
  }
  if (need) bm_lock(&a->lock);
  int_free_locked(a, p, size, 1);
  if (need) bm_unlock(&a->lock);
}

void bm_free_to_arena(chunk_t *p, size_t size) {
  free_to_arena(p, size, 0);
}

/* Dynamic mmap threshold: a freed mmapped chunk larger than the threshold
 * shows the program uses such sizes long-term; serve them from the heap. */
static void free_mmapped(chunk_t *p) {
  size_t sz = chunksize(p);
  if (!bm_mp.no_dyn_threshold && sz > bm_mp.mmap_threshold && sz <= DEFAULT_MMAP_THRESHOLD_MAX) {
    bm_mp.mmap_threshold = sz;
    bm_mp.trim_threshold = 2 * sz;
  }
  bm_munmap_chunk(p);
}

static BM_NOINLINE void free_slow(void *mem, chunk_t *p, size_t head) {
  if (unlikely(bm_vg)) {
    bm_vg_free(mem);
    return;
  }
  if (head & IS_MMAPPED) {
    free_mmapped(p);
    return;
  }
  size_t size = head & ~SIZE_FLAGS;
  tcache_t *tc = bm_tcache;
  if (size >= FASTBIN_CONSOLIDATION_THRESHOLD && tc && (tc->grown[0] | tc->grown[1])) bm_tcache_return_stale(tc);
  free_to_arena(p, size, 1);
}

void bm_free_mmapped_or_arena(chunk_t *p) {
  if (is_mmapped(p))
    free_mmapped(p);
  else
    bm_free_to_arena(p, chunksize(p));
}

/* Bin idx is full: it may deepen or flush a batch (tcache_adapt.c), else the
 * chunk goes to its arena.  Out of line so that every path of bm_free that
 * leaves the cache is a tail call: the fast path then saves no register. */
static BM_NOINLINE void free_full_bin(void *mem, tcache_t *tc, size_t idx) {
  chunk_t *p = mem2chunk(mem);
  if (tcache_overflow(tc, idx, p)) return;
  free_slow(mem, p, p->size);
}

/* Into bin idx when it has room, else as a full bin. */
static void free_into_bin(void *mem, tcache_t *tc, size_t idx) {
  if (tc->counts[idx] < tc->limits[idx]) {
    tcache_push(tc, idx, mem2chunk(mem));
    tc->ctr.frees++;
    return;
  }
  free_full_bin(mem, tc, idx);
}

/* The chunk carries the tcache key: maybe a double free (rare path). */
static BM_NOINLINE void free_key_match(void *mem, tcache_t *tc, size_t idx) {
  bm_tcache_double_free_check(tc, idx, (tc_entry_t *)mem);
  free_into_bin(mem, tc, idx);
}

static BM_NORETURN BM_COLD void invalid_pointer(void) {
  bm_fatal("free(): invalid pointer");
}

/* No tcache in this thread (yet, or any more), or running under Valgrind. */
static BM_NOINLINE void free_without_tcache(void *mem) {
  if (unlikely(bm_vg)) {
    bm_vg_free(mem);
    return;
  }
  /* A thread that frees before it ever allocates still gets its cache. */
  if (bm_tcache_state == 0 && bm_inited && bm_tcache_init()) {
    bm_free(mem);
    return;
  }
  chunk_t *p = mem2chunk(mem);
  size_t head = p->size;
  size_t sz = head & ~SIZE_FLAGS;
  if (unlikely(((uintptr_t)p & CHUNK_ALIGN_MASK) != 0 || (uintptr_t)p > (uintptr_t)-sz)) invalid_pointer();
  free_slow(mem, p, head);
}

/* A free of chunk c, of another thread arena than the caller's, found bin idx
 * holding cnt >= glibc's depth: 1 when c goes back to its arena rather than
 * into the bin.  It does when no thread is attached to that arena
 * (heap_info_t.orphaned), and when the bin has deepened and is at least half
 * full: a thread's bins hold at most half their depth in other arenas'
 * chunks (a full bin keeps its overflow path, which deepens or flushes it).
 * A thread that frees what its neighbour allocated (sh8bench's ring) filled
 * its deep bins with the neighbour's chunks while the neighbour's arena grew
 * for want of them: with 8 threads the heaps held 2.5 MiB (13 %) more than
 * the C library's.  (Main-arena chunks are not tested: that costs the
 * single-threaded free a load and a compare.) */
static inline int remote_return(const tcache_t *tc, size_t idx, unsigned cnt, chunk_t *c) {
  unsigned limit = tc->limits[idx];
  return chunk_orphaned(c) || (cnt >= limit / 2 && cnt < limit);
}

/* A free of another thread arena's chunk into a bin that holds at least
 * glibc's depth: back to its arena when remote_return says so, else cached
 * as the thread's own chunks are.  Out of line, as bm_free's other exits. */
static BM_NOINLINE void free_other_arena(void *mem, tcache_t *tc, size_t idx) {
  chunk_t *p = mem2chunk(mem);
  if (remote_return(tc, idx, tc->counts[idx], p)) return free_slow(mem, p, p->size);
  free_into_bin(mem, tc, idx);
}

/* A chunk above the exact bins: into its class bin (tcache.h) when it is of
 * the thread's own arena, else to its arena.  Another arena's chunks are not
 * cached there: a thread that frees what its neighbour allocated (rptest's
 * batches handed on) would hold them while the neighbour's arena grew for
 * want of them (rptest t=2: median peak RSS 22.9 MiB caching them, 20.3
 * not, the build before 20.1; 7 runs each). */
static BM_NOINLINE void free_beyond_exact(void *mem, tcache_t *tc, chunk_t *p, size_t head) {
  size_t idx = head & IS_MMAPPED ? TCACHE_BINS : tc_bin_of(head & ~SIZE_FLAGS);
  if (idx == TCACHE_BINS || arena_for_chunk(p) != bm_thread_arena) return free_slow(mem, p, head);
  if (unlikely(((tc_entry_t *)mem)->key == bm_tcache_key)) return free_key_match(mem, tc, idx);
  free_into_bin(mem, tc, idx);
}

void bm_free(void *mem) {
  if (unlikely(mem == NULL)) return;
  tcache_t *tc = bm_tcache;
  if (unlikely(tc == NULL)) return free_without_tcache(mem);
  chunk_t *p = mem2chunk(mem);
  size_t head = p->size;
  size_t sz = head & ~SIZE_FLAGS;
  if (unlikely(((uintptr_t)p & CHUNK_ALIGN_MASK) != 0 || (uintptr_t)p > (uintptr_t)-sz)) invalid_pointer();
  size_t idx = tc_index(sz);
  if (likely(!(head & IS_MMAPPED)) && likely(idx < bm_tc_nbins)) {
    tc_entry_t *e = (tc_entry_t *)mem;
    uintptr_t key = bm_tcache_key;
    if (unlikely(e->key == key)) return free_key_match(mem, tc, idx);
    unsigned cnt = tc->counts[idx];
    /* Beyond glibc's depth, a chunk of another thread arena may go back to
     * it (free_other_arena).  The depth is tested last: whether a bin holds
     * 7 chunks yet changes from one free to the next, and tested before the
     * arena it cost larson a third of its speed. */
    if (unlikely(head & NON_MAIN_ARENA) && unlikely(heap_for_ptr(p)->ar != bm_thread_arena) && cnt >= bm_tc_count)
      return free_other_arena(mem, tc, idx);
    if (likely(cnt < tc->limits[idx])) {
      e->key = key;
      e->next = (tc_entry_t *)protect_ptr(&e->next, tc->entries[idx]);
      tc->entries[idx] = e;
      tc->counts[idx] = (uint16_t)(cnt + 1);
      tc->ctr.frees++;
      return;
    }
    return free_full_bin(mem, tc, idx);
  }
  free_beyond_exact(mem, tc, p, head);
}

void bm_tcache_flush_self(void) {
  tcache_t *tc = bm_tcache;
  if (!tc) return;
  bm_tcache_flush_all(tc);
  bm_tcache_reset_depths(tc);
}
