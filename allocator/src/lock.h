/* A small futex-based mutex that never allocates.  0 = free, 1 = locked,
 * 2 = locked with waiters.  Statically initialised to zero. */
#ifndef BM_LOCK_H
#define BM_LOCK_H

#include "common.h"

typedef struct {
  int v;
} bm_lock_t;

#define BM_LOCK_INIT \
  { 0 }

void bm_lock_wait(bm_lock_t *l);
void bm_lock_wake(bm_lock_t *l);

static inline void bm_lock(bm_lock_t *l) {
  int expected = 0;
  if (likely(__atomic_compare_exchange_n(&l->v, &expected, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))) return;
  bm_lock_wait(l);
}

static inline int bm_trylock(bm_lock_t *l) {
  int expected = 0;
  return __atomic_compare_exchange_n(&l->v, &expected, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

static inline void bm_unlock(bm_lock_t *l) {
  if (unlikely(__atomic_exchange_n(&l->v, 0, __ATOMIC_RELEASE) == 2)) bm_lock_wake(l);
}

static inline void bm_lock_reinit(bm_lock_t *l) {
  l->v = 0;
}

/* While the process has a single thread (glibc keeps this flag; it turns false
 * before the first pthread_create returns and never back) arena locks are
 * skipped.  The decision is taken once per operation and passed to unlock. */
extern char __libc_single_threaded;
static inline int bm_need_lock(void) {
  return !__libc_single_threaded;
}

#endif
