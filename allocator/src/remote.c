/* Frees of chunks owned by another thread's arena, returned in batches.
 *
 * A free that would take another arena's lock (a chunk too large for the
 * fastbins, freed into a cache bin that is full or absent, by a thread that
 * did not allocate it) is held back in the freeing thread's cache record
 * instead: linked and marked like a cache entry (the chunk stays in use for
 * its arena).  Up to REMOTE_MAX_CHUNKS chunks or REMOTE_MAX_BYTES bytes of
 * one arena then go back under one acquisition of its lock, where each free
 * used to take it: the owner, which works in that arena at the same time,
 * meets its lock taken far less often (rptest t=2 waited on 4 % of these
 * acquisitions, each a futex sleep and wake).  The list is returned whole
 * when a chunk of another arena comes, when it is full, and with the cache
 * (thread exit, binmalloc_tcache_flush). */
#include "arena.h"
#include "core.h"
#include "fastbin.h"
#include "tcache.h"
#include "tunables.h"

void bm_remote_flush(tcache_t *tc) {
  tc_entry_t *e = tc->remote;
  if (!e) return;
  arena_t *a = tc->remote_arena;
  tc->remote = NULL;
  tc->remote_count = 0;
  tc->remote_bytes = 0;
  int need = bm_need_lock();
  if (need) bm_lock(&a->lock);
  while (e) {
    tc_entry_t *next = (tc_entry_t *)reveal_ptr(&e->next, e->next);
    if (unlikely(misaligned_ptr(next))) bm_fatal("free(): unaligned chunk detected in tcache 2");
    e->key = 0;
    chunk_t *c = mem2chunk(e);
    if (unlikely(arena_for_chunk(c) != a)) bm_fatal("free(): invalid pointer");
    bm_int_free_locked(a, c, chunksize(c));
    e = next;
  }
  if (need) bm_unlock(&a->lock);
}

int bm_remote_holds(const tcache_t *tc, const void *mem) {
  unsigned n = 0;
  for (tc_entry_t *t = tc->remote; t; t = (tc_entry_t *)reveal_ptr(&t->next, t->next)) {
    if (t == mem) return 1;
    if (++n > REMOTE_MAX_CHUNKS || misaligned_ptr(t)) bm_fatal("free(): unaligned chunk detected in tcache 2");
  }
  return 0;
}

void bm_remote_defer(tcache_t *tc, arena_t *a, chunk_t *p, size_t size) {
  tc_entry_t *e = (tc_entry_t *)chunk2mem(p);
  if (unlikely(e->key == bm_tcache_key) && bm_remote_holds(tc, e)) bm_fatal("free(): double free detected in tcache 2");
  if (a != tc->remote_arena) {
    bm_remote_flush(tc);
    tc->remote_arena = a;
  }
  bm_count_free_of(a, bm_thread_arena);
  e->key = bm_tcache_key;
  e->next = (tc_entry_t *)protect_ptr(&e->next, tc->remote);
  tc->remote = e;
  tc->remote_bytes += size;
  if (++tc->remote_count >= REMOTE_MAX_CHUNKS || tc->remote_bytes >= REMOTE_MAX_BYTES) bm_remote_flush(tc);
}
