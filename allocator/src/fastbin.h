/* Fastbins: LIFO singly linked (safe-linked) lists of small chunks that keep
 * their in-use bit until malloc_consolidate.
 *
 * Once the process has threads, pushes are lock-free (compare-and-swap), so a
 * free - local or from another thread - never waits for the owner arena's lock.
 * Pops happen only under the arena lock: a popped chunk cannot return to the
 * top of the list between the read and the swap (no ABA). While the process is
 * single-threaded plain loads and stores are used. */
#ifndef BM_FASTBIN_H
#define BM_FASTBIN_H

#include "arena.h"

static inline void bm_fastbin_push(arena_t *a, unsigned idx, chunk_t *p, int mt) {
  chunk_t **fb = &a->fastbins[idx];
  chunk_t *old = __atomic_load_n(fb, __ATOMIC_RELAXED);
  if (!mt) {
    if (unlikely(old == p)) bm_fatal("double free or corruption (fasttop)");
    p->fd = (chunk_t *)protect_ptr(&p->fd, old);
    *fb = p;
    a->have_fastchunks = 1;
    return;
  }
  do {
    if (unlikely(old == p)) bm_fatal("double free or corruption (fasttop)");
    p->fd = (chunk_t *)protect_ptr(&p->fd, old);
  } while (!__atomic_compare_exchange_n(fb, &old, p, 1, __ATOMIC_RELEASE, __ATOMIC_RELAXED));
  if (!__atomic_load_n(&a->have_fastchunks, __ATOMIC_RELAXED))
    __atomic_store_n(&a->have_fastchunks, 1, __ATOMIC_RELAXED);
}

/* Under the arena lock.  A misaligned head aborts with victim_msg (the served
 * chunk: "... detected 2", a chunk stashed into the tcache: "... detected 3");
 * a misaligned successor is caught here while other threads may push (it would
 * be published by the swap), else when it becomes the head. */
static inline chunk_t *bm_fastbin_pop(arena_t *a, unsigned idx, int mt, const char *victim_msg) {
  chunk_t **fb = &a->fastbins[idx];
  chunk_t *v = __atomic_load_n(fb, __ATOMIC_ACQUIRE);
  for (;;) {
    if (!v) return NULL;
    if (unlikely(misaligned_ptr(v))) bm_fatal(victim_msg);
    chunk_t *next = (chunk_t *)reveal_ptr(&v->fd, v->fd);
    if (!mt) {
      *fb = next;
      return v;
    }
    if (unlikely(next && misaligned_ptr(next))) bm_fatal("malloc(): unaligned fastbin chunk detected");
    if (__atomic_compare_exchange_n(fb, &v, next, 1, __ATOMIC_ACQUIRE, __ATOMIC_ACQUIRE)) return v;
  }
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
static inline void bm_count(uint64_t *c) {
  __atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + 1, __ATOMIC_RELAXED);
}

/* A free by a thread attached to self of a chunk owned by arena a: returns
 * the arena its counters go to, counting a remote free there.  A free is
 * counted in the freeing thread's arena, not the owner's: a consumer thread
 * that frees a producer's chunks would otherwise write the producer arena's
 * counters on every free, and that cache line's trips between the two cores
 * cost xmalloc t=1 a fifth of its speed.  The sums over arenas
 * (binmalloc_stats_ex) are the same. */
static inline arena_t *bm_count_free_of(arena_t *a, arena_t *self) {
  arena_t *counted = self ? self : a;
  if (a != self) bm_count(&counted->ctr.remote_frees);
  return counted;
}

#endif
