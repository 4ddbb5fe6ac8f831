/* The adaptive part of the per-thread cache: bins that deepen when the
 * thread's working set of a size is larger than the bin, a byte budget on
 * that growth, batched return of part of a full deepened bin to the arenas,
 * and batched refill of a deepened bin from the arena's top.
 *
 * A bin is "hot" when a free found it full and a later malloc found it empty:
 * the thread cycles through more chunks of that size than the bin holds, and
 * every cycle goes through the arena.  The next time it fills, a hot bin
 * doubles its depth (up to bm_tc_depth) if the thread's added capacity stays
 * within bm_tc_bytes.  A bin that never met the pattern keeps the fixed depth
 * and glibc's behaviour (a free into a full bin goes to the arena).
 *
 * A free that finds a deepened bin full returns its newest half, but never
 * more than TC_FLUSH_MAX chunks: those were freed last and are still in the
 * processor's cache, where half of a bin of thousands is not (a program that
 * frees a large structure in a burst paid one cache miss per chunk in those
 * flushes).  What the burst left in the bin beyond its starting depth goes
 * back to the arenas at the next free of a large chunk (glibc's signal to
 * consolidate), to be coalesced there: a stale deep bin would otherwise
 * hand out chunks scattered over the heap for the program's next phase.
 *
 * Cache and fastbins together keep the order of a stack: the flushed batch is
 * spliced onto the fastbin in the cache's order and the stash from a fastbin
 * (malloc.c) keeps the fastbin's order, so a program that allocates a batch
 * and frees it in the same order gets neighbouring chunks back in sequence,
 * however large the batch (without it, a batch larger than the bin came back
 * shuffled in runs of a few chunks, and Hoard's threadtest ran at 0.75-0.82x
 * glibc's speed with doubling alone). */
#include "arena.h"
#include "core.h"
#include "fastbin.h"
#include "tcache.h"
#include "tunables.h"

/* A run of fastbin-sized chunks of one arena, linked in the cache's order. */
typedef struct fast_run {
  arena_t *arena;
  chunk_t *first, *last;
  unsigned len;
} fast_run_t;

static void push_run(fast_run_t *r, unsigned fidx, arena_t *self, int mt) {
  if (!r->len) return;
  bm_fastbin_push_chain(r->arena, fidx, r->first, r->last, mt);
  arena_t *counted = bm_count_frees_of(r->arena, self, r->len);
  bm_count_n(&counted->ctr.fastbin_frees, r->len);
  r->len = 0;
}

/* Returns the newest n entries of bin idx to their arenas (no walk past
 * them).  Fastbin-sized chunks go onto their fastbin one run per arena,
 * spliced in the cache's order, without a lock: the fastbin then serves them
 * in the order the cache would have.  Larger chunks, and with coalesce all
 * of them, are freed and coalesced under their arena's lock, taken once for a
 * run of its chunks. */
static void flush_newest(tcache_t *tc, size_t idx, unsigned n, int coalesce) {
  tc_entry_t *e = tc->entries[idx];
  int need = bm_need_lock();
  arena_t *self = bm_thread_arena;
  arena_t *locked = NULL;
  size_t size = tc_chunk_size(idx);
  int fast = size <= bm_mp.max_fast && !coalesce;
  unsigned fidx = fast ? fastbin_index(size) : 0;
  fast_run_t run = {NULL, NULL, NULL, 0};
  for (unsigned k = 0; k < n && e; k++) {
    tc_entry_t *next = (tc_entry_t *)reveal_ptr(&e->next, e->next);
    if (unlikely(misaligned_ptr(next))) bm_fatal("free(): unaligned chunk detected in tcache 2");
    e->key = 0;
    tc->counts[idx]--;
    chunk_t *c = mem2chunk(e);
    if (unlikely(chunksize(c) != size)) bm_fatal("free(): invalid size");
    arena_t *a = arena_for_chunk(c);
    if (fast) {
      bm_fastbin_prepare(a, c, size, !need);
      if (a != run.arena) {
        push_run(&run, fidx, self, need);
        run.arena = a;
      }
      if (run.len)
        run.last->fd = (chunk_t *)protect_ptr(&run.last->fd, c);
      else
        run.first = c;
      run.last = c;
      run.len++;
    } else {
      bm_count_free_of(a, self);
      if (need && a != locked) {
        if (locked) bm_unlock(&locked->lock);
        bm_lock(&a->lock);
        locked = a;
      }
      bm_int_free_locked(a, c, size);
    }
    e = next;
  }
  tc->entries[idx] = e;
  push_run(&run, fidx, self, need);
  if (locked) bm_unlock(&locked->lock);
}

int bm_tcache_overflow(tcache_t *tc, size_t idx, chunk_t *p) {
  unsigned limit = tc->limits[idx];
  uint8_t flags = tc->flags[idx];
  if (flags & TC_HOT) {
    size_t want = limit ? 2 * (size_t)limit : TC_OPEN_DEPTH;
    size_t deeper = want < bm_tc_depth ? want : bm_tc_depth;
    int large = idx >= bm_tc_fixed_bins;
    /* The last step stops where the budget does (doubling would overshoot it
     * and leave the bin at half the working set). */
    size_t budget = tc_budget(large);
    if (large && tc_above_share_high(tc)) budget /= 2; /* many requests are above 4 KiB (tcache.h) */
    size_t room = budget > tc->grown[large] ? (budget - tc->grown[large]) / tc_chunk_size(idx) : 0;
    if (deeper > limit + room) deeper = limit + room;
    size_t added = (deeper - limit) * tc_chunk_size(idx);
    if (deeper > limit) {
      tc->limits[idx] = (uint16_t)deeper;
      tc->grown[large] += added;
      tc->flags[idx] = TC_OVERFLOWED;
      tc->ctr.grows++;
      tcache_push(tc, idx, p);
      tc->ctr.frees++;
      return 1;
    }
  }
  tc->flags[idx] = TC_OVERFLOWED;
  if (limit <= bm_tc_count) return 0;
  unsigned n = limit / 2 < TC_FLUSH_MAX ? limit / 2 : TC_FLUSH_MAX;
  uint64_t mallocs = tc->ctr.hits - tc->hits_at_flush;
  tc->hits_at_flush = tc->ctr.hits;
  arena_t *self = bm_thread_arena;
  int burst = mallocs * TC_BURST_RATIO < n && self && __atomic_load_n(&self->coalesce_bursts, __ATOMIC_RELAXED);
  flush_newest(tc, idx, n, burst);
  tc->ctr.flushes++;
  tcache_push(tc, idx, p);
  tc->ctr.frees++;
  return 1;
}

int bm_tcache_return_remote(tcache_t *tc, chunk_t *p, size_t size) {
  size_t idx = tc_index(size);
  if (idx >= bm_tc_nbins || tc->counts[idx] < tc->limits[idx] || tc->limits[idx] > bm_tc_count) return 0;
  flush_newest(tc, idx, tc->counts[idx], 0);
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

size_t bm_tcache_grown_bytes(const tcache_t *tc, int large) {
  size_t grown = 0;
  for (size_t i = 0; i < TCACHE_BINS; i++)
    if ((i >= bm_tc_fixed_bins) == large) grown += (tc->limits[i] - tc_base_depth(i)) * tc_chunk_size(i);
  return grown;
}

void bm_tcache_reset_depths(tcache_t *tc) {
  for (size_t i = 0; i < TCACHE_BINS; i++) {
    tc->limits[i] = (uint16_t)tc_base_depth(i);
    tc->flags[i] = 0;
  }
  tc->grown[0] = tc->grown[1] = 0;
}

void bm_tcache_return_stale(tcache_t *tc) {
  for (size_t i = 0; i < TCACHE_BINS; i++) {
    size_t base = tc_base_depth(i);
    if (tc->counts[i] > base && tc->flags[i] == TC_OVERFLOWED) flush_newest(tc, i, tc->counts[i] - base, 1);
  }
}

unsigned bm_tcache_return_excess_to(tcache_t *tc, arena_t *a) {
  arena_t *self = bm_thread_arena;
  unsigned returned = 0;
  for (size_t i = 0; i < TCACHE_BINS; i++) {
    size_t base = tc_base_depth(i);
    if (tc->counts[i] <= base) continue;
    size_t size = tc_chunk_size(i);
    unsigned n = tc->counts[i] - (unsigned)base;
    /* Chunks of other arenas, in the order popped, go back on top. */
    tc_entry_t *first = NULL, *last = NULL;
    for (unsigned k = 0; k < n; k++) {
      tc_entry_t *e = tcache_pop(tc, i, tc->entries[i]);
      chunk_t *c = mem2chunk(e);
      if (unlikely(chunksize(c) != size)) bm_fatal("free(): invalid size");
      if (arena_for_chunk(c) == a) {
        bm_count_free_of(a, self);
        bm_int_free_locked_no_trim(a, c, size);
        returned++;
        continue;
      }
      e->key = bm_tcache_key;
      if (last)
        last->next = (tc_entry_t *)protect_ptr(&last->next, e);
      else
        first = e;
      last = e;
      tc->counts[i]++;
    }
    if (last) {
      last->next = (tc_entry_t *)protect_ptr(&last->next, tc->entries[i]);
      tc->entries[i] = first;
    }
    size_t depth = tc->counts[i];
    if (tc->limits[i] > depth) {
      tc->grown[i >= bm_tc_fixed_bins] -= (tc->limits[i] - depth) * size;
      tc->limits[i] = (uint16_t)depth;
    }
    tc->flags[i] = 0;
  }
  if (returned) tc->ctr.growth_returns++;
  return returned;
}
