/* The adaptive part of the per-thread cache: bins that deepen when the
 * thread's working set of a size is larger than the bin, a byte budget on
 * that growth, batched return of half a full deepened bin to the arenas, and
 * batched refill of a deepened bin from the arena's top.
 *
 * A bin is "hot" when a free found it full and a later malloc found it empty:
 * the thread cycles through more chunks of that size than the bin holds, and
 * every cycle goes through the arena.  The next time it fills, a hot bin
 * doubles its depth (up to bm_tc_depth) if the thread's added capacity stays
 * within bm_tc_bytes.  A deepened bin whose frees run past it by more than
 * TC_SWEEP_DEPTHS times the deepest bin without a malloc in between (a batch
 * allocated, then freed whole) returns to the fixed depth and stays there
 * ("capped") until binmalloc_tcache_flush().  A bin that never met the
 * pattern keeps the fixed depth and glibc's behaviour (a free into a full bin
 * goes to the arena). */
#include "arena.h"
#include "core.h"
#include "fastbin.h"
#include "tcache.h"

/* Returns the newest n entries of bin idx to their arenas (no walk past
 * them), locking each arena once for a run of its chunks. */
static void flush_newest(tcache_t *tc, size_t idx, unsigned n) {
  int need = bm_need_lock();
  arena_t *self = bm_thread_arena;
  arena_t *locked = NULL;
  tc_entry_t *e = tc->entries[idx];
  for (unsigned k = 0; k < n && e; k++) {
    tc_entry_t *next = (tc_entry_t *)reveal_ptr(&e->next, e->next);
    if (unlikely(misaligned_ptr(next))) bm_fatal("free(): unaligned chunk detected in tcache 2");
    e->key = 0;
    tc->entries[idx] = next;
    tc->counts[idx]--;
    chunk_t *c = mem2chunk(e);
    size_t size = chunksize(c);
    if (unlikely(size < MIN_CHUNK || (size & CHUNK_ALIGN_MASK))) bm_fatal("free(): invalid size");
    arena_t *a = arena_for_chunk(c);
    bm_count_free_of(a, self);
    if (need && a != locked) {
      if (locked) bm_unlock(&locked->lock);
      bm_lock(&a->lock);
      locked = a;
    }
    bm_free_chunk_locked(a, c, size);
    e = next;
  }
  if (locked) bm_unlock(&locked->lock);
}

int bm_tcache_overflow(tcache_t *tc, size_t idx, chunk_t *p) {
  unsigned limit = tc->limits[idx];
  uint8_t flags = tc->flags[idx];
  if ((flags & (TC_HOT | TC_CAPPED)) == TC_HOT) {
    size_t deeper = 2 * (size_t)limit < bm_tc_depth ? 2 * (size_t)limit : bm_tc_depth;
    size_t added = (deeper - limit) * tc_chunk_size(idx);
    if (deeper > limit && bm_tcache_grown_bytes(tc) + added <= bm_tc_bytes) {
      tc->limits[idx] = (uint16_t)deeper;
      tc->flags[idx] = TC_OVERFLOWED;
      tc->ctr.grows++;
      tcache_push(tc, idx, p);
      tc->ctr.frees++;
      return 1;
    }
  }
  tc->flags[idx] = (uint8_t)((flags & TC_CAPPED) | TC_OVERFLOWED);
  if (limit <= bm_tc_count) return 0;
  unsigned swept = tc->swept[idx] + limit / 2;
  tc->swept[idx] = (uint16_t)(swept < UINT16_MAX ? swept : UINT16_MAX);
  if (swept > TC_SWEEP_DEPTHS * bm_tc_depth) {
    /* Frees of this size run far past the bin without a malloc in between
     * (allocate a batch, free the batch): the cache only stands between the
     * program and the arena and reorders the free lists.  Back to the fixed
     * depth for good, which also returns the budget. */
    flush_newest(tc, idx, tc->counts[idx] - (unsigned)bm_tc_count);
    tc->limits[idx] = (uint16_t)bm_tc_count;
    tc->flags[idx] = TC_OVERFLOWED | TC_CAPPED;
    tc->ctr.caps++;
    return 0;
  }
  flush_newest(tc, idx, limit / 2);
  tc->ctr.flushes++;
  tcache_push(tc, idx, p);
  tc->ctr.frees++;
  return 1;
}

void bm_tcache_refill_from_top(arena_t *a, tcache_t *tc, size_t idx) {
  size_t nb = tc_chunk_size(idx);
  unsigned want = tc->limits[idx] / 2;
  chunk_t *victim = a->split_victim; /* calloc's chunk: it clears from split_fresh on */
  char *fresh = a->split_fresh;
  while (tc->counts[idx] < want && chunksize(a->top) >= nb + MIN_CHUNK) {
    tcache_push(tc, idx, bm_split_top(a, nb));
    tc->ctr.refills++;
  }
  a->split_victim = victim;
  a->split_fresh = fresh;
}

size_t bm_tcache_grown_bytes(const tcache_t *tc) {
  size_t grown = 0;
  for (size_t i = 0; i < TCACHE_BINS; i++) grown += (tc->limits[i] - bm_tc_count) * tc_chunk_size(i);
  return grown;
}

void bm_tcache_reset_depths(tcache_t *tc) {
  for (size_t i = 0; i < TCACHE_BINS; i++) {
    tc->limits[i] = (uint16_t)bm_tc_count;
    tc->flags[i] = 0;
    tc->swept[i] = 0;
  }
}
