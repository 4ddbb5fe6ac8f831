/* Per-thread cache: 64 LIFO singly linked bins (safe-linked), no locks. */
#ifndef BM_TCACHE_H
#define BM_TCACHE_H

#include "chunk.h"
#include "tunables.h"

typedef struct tc_entry {
  struct tc_entry *next; /* safe-linked */
  uintptr_t key;         /* bm_tcache_key while the chunk sits in a tcache */
} tc_entry_t;

typedef struct tcache {
  uint16_t counts[TCACHE_BINS];
  tc_entry_t *entries[TCACHE_BINS];
  uint64_t hits;  /* malloc served */
  uint64_t frees; /* free absorbed */
} tcache_t;

extern BM_TLS tcache_t *bm_tcache;
extern BM_TLS int bm_tcache_state; /* 0 = not yet, 1 = live, 2 = off (exiting / failed) */
extern uintptr_t bm_tcache_key;
/* Copies of the parameters read by the fast paths. */
extern size_t bm_tc_max_req; /* largest request the tcache serves */
extern size_t bm_tc_nbins;   /* bins in use */
extern size_t bm_tc_count;   /* entries per bin */

static inline size_t tc_index(size_t chunk_size) {
  return (chunk_size - MIN_CHUNK) >> 4;
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

/* Sets up the calling thread's tcache (slow path); returns it or NULL. */
tcache_t *bm_tcache_init(void);
/* Verifies a suspected double free (key matched); aborts if it is one. */
void bm_tcache_double_free_check(tcache_t *tc, size_t idx, tc_entry_t *e);
/* Returns every cached chunk to its arena. */
void bm_tcache_flush_all(tcache_t *tc);
void bm_tcache_setup_key(void);
/* Arranges for the thread-exit hook (tcache flush, arena detach) to run. */
void bm_thread_register_exit(void);

#endif
