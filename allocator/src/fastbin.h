/* Fastbins: LIFO singly linked (safe-linked) lists of small chunks that keep
 * their in-use bit until malloc_consolidate.
 *
 * Once the process has threads, pushes are lock-free (compare-and-swap), so a
 * free - local or from another thread - never waits for the owner arena's lock.
 * Pops happen only under the arena lock, from the arena's backlog of the bin,
 * which a pop refills by exchanging the whole list for an empty one (no ABA:
 * nothing is read from the shared list before it is detached). While the
 * process is single-threaded plain loads and stores are used. */
#ifndef BM_FASTBIN_H
#define BM_FASTBIN_H

#include <string.h>

#include "arena.h"
#include "tunables.h"

/* Pushes the chain first..last, already linked through their fd words
 * (safe-linked), onto fastbin idx in one step: the list then reads as if the
 * chain's chunks had been pushed one by one from last to first. */
static inline void bm_fastbin_push_chain(arena_t *a, unsigned idx, chunk_t *first, chunk_t *last, int mt) {
  chunk_t **fb = &a->fastbins[idx];
  chunk_t *old = __atomic_load_n(fb, __ATOMIC_RELAXED);
  if (!mt) {
    if (unlikely(old == last)) bm_fatal("double free or corruption (fasttop)");
    last->fd = (chunk_t *)protect_ptr(&last->fd, old);
    *fb = first;
    a->have_fastchunks = 1;
    return;
  }
  do {
    if (unlikely(old == last)) bm_fatal("double free or corruption (fasttop)");
    last->fd = (chunk_t *)protect_ptr(&last->fd, old);
  } while (!__atomic_compare_exchange_n(fb, &old, first, 1, __ATOMIC_RELEASE, __ATOMIC_RELAXED));
  if (!__atomic_load_n(&a->have_fastchunks, __ATOMIC_RELAXED))
    __atomic_store_n(&a->have_fastchunks, 1, __ATOMIC_RELAXED);
}

static inline void bm_fastbin_push(arena_t *a, unsigned idx, chunk_t *p, int mt) {
  bm_fastbin_push_chain(a, idx, p, p, mt);
}

/* The next chunk's size failed the check before a push: aborts unless a
 * recheck under the lock passes (free.c).  locked: the caller holds the
 * arena lock, or the process has a single thread. */
void bm_fast_next_size_failed(arena_t *a, chunk_t *next, int locked);

/* The checks and the perturb fill a chunk passes before it goes to a fastbin. */
static inline void bm_fastbin_prepare(arena_t *a, chunk_t *p, size_t size, int locked) {
  chunk_t *next = chunk_at(p, size);
  size_t nsize = chunksize(next);
  if (unlikely(nsize < FENCE_SIZE || nsize >= __atomic_load_n(&a->system_mem, __ATOMIC_RELAXED)))
    bm_fast_next_size_failed(a, next, locked);
  if (unlikely(bm_mp.perturb_byte)) memset(chunk2mem(p), bm_mp.perturb_byte & 0xff, size - CHUNK_HDR);
}

/* Under the arena lock: detaches up to max chunks from fastbin idx; *first
 * and *last are the run's ends (the chunks keep their fd words) and the
 * count is returned.  With other threads the run comes from the arena's
 * backlog of the bin, and when that is empty the fastbin's whole list moves
 * there first, in one exchange: pushes never wait, and a pop never reads a
 * list that another thread's push may change under it.  (A pop that read a
 * run of the shared list and then swapped its head lost that swap to a
 * consumer's push 3 times in 4 in xmalloc t=1, and read the run again each
 * time, cache miss after cache miss.)  The backlog is served first, newest
 * chunk first within it.  With one thread the fastbin is popped in place.  A
 * misaligned head aborts with glibc's message for the served chunk ("...
 * detected 2"), one further down with the stash's ("... detected 3"). */
static inline unsigned bm_fastbin_pop_run(arena_t *a, unsigned idx, int mt, unsigned max, chunk_t **first,
                                          chunk_t **last) {
  chunk_t **from = &a->fast_backlog[idx];
  if (!*from && !mt) {
    from = &a->fastbins[idx];
  } else if (!*from && __atomic_load_n(&a->fastbins[idx], __ATOMIC_RELAXED)) {
    /* (loaded first: no locked write to an empty bin's line) */
    *from = __atomic_exchange_n(&a->fastbins[idx], NULL, __ATOMIC_ACQUIRE);
    a->ctr.fastbin_takes++;
  }
  chunk_t *head = *from;
  if (!head) return 0;
  chunk_t *c = head, *end = NULL;
  unsigned n = 0;
  while (c && n < max) {
    if (unlikely(misaligned_ptr(c)))
      bm_fatal(n ? "malloc(): unaligned fastbin chunk detected 3" : "malloc(): unaligned fastbin chunk detected 2");
    end = c;
    c = (chunk_t *)reveal_ptr(&c->fd, c->fd);
    n++;
  }
  /* A chunk left in the fastbin itself is checked when it is the head, as
   * glibc does with one thread; the backlog's new head is checked now. */
  if (from != &a->fastbins[idx] && c && unlikely(misaligned_ptr(c)))
    bm_fatal("malloc(): unaligned fastbin chunk detected");
  *first = head;
  *last = end;
  *from = c;
  return n;
}

/* Under the arena lock: detaches the chunks a pop left in fastbin idx's
 * backlog. */
static inline chunk_t *bm_fastbin_take_backlog(arena_t *a, unsigned idx) {
  chunk_t *list = a->fast_backlog[idx];
  a->fast_backlog[idx] = NULL;
  return list;
}

/* Under the arena lock: detaches a whole list. */
static inline chunk_t *bm_fastbin_take_all(arena_t *a, unsigned idx, int mt) {
  chunk_t **fb = &a->fastbins[idx];
  if (mt) return __atomic_exchange_n(fb, NULL, __ATOMIC_ACQUIRE);
  chunk_t *list = *fb;
  *fb = NULL;
  return list;
}

/* Statistics that may be bumped without the lock: lost updates are acceptable,
 * data races are not. */
static inline void bm_count_n(uint64_t *c, uint64_t n) {
  __atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + n, __ATOMIC_RELAXED);
}
static inline void bm_count(uint64_t *c) {
  bm_count_n(c, 1);
}

/* n frees by a thread attached to self of chunks owned by arena a: returns
 * the arena their counters go to, counting remote frees there.  A free is
 * counted in the freeing thread's arena, not the owner's: a consumer thread
 * that frees a producer's chunks would otherwise write the producer arena's
 * counters on every free, and that cache line's trips between the two cores
 * cost xmalloc t=1 a fifth of its speed.  The sums over arenas
 * (binmalloc_stats_ex) are the same. */
static inline arena_t *bm_count_frees_of(arena_t *a, arena_t *self, uint64_t n) {
  arena_t *counted = self ? self : a;
  if (a != self) bm_count_n(&counted->ctr.remote_frees, n);
  return counted;
}
static inline arena_t *bm_count_free_of(arena_t *a, arena_t *self) {
  return bm_count_frees_of(a, self, 1);
}

#endif
