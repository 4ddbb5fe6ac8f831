/* Coalescing of a free chunk with its neighbours (boundary tags). */
#ifndef BM_COALESCE_H
#define BM_COALESCE_H

#include "arena.h"

/* Coalesces a free chunk with its free neighbours and files it in the
 * unsorted bin or merges it into top.  No sanity checks: callers did them,
 * except the previous chunk's size, whose mismatch aborts with prev_msg (the
 * C library names the caller in it).  Returns the size of the resulting chunk. */
static inline size_t bm_release_chunk(arena_t *a, chunk_t *p, size_t size, const char *prev_msg) {
  chunk_t *next = chunk_at(p, size);
  size_t nsize = chunksize(next);
  if (!prev_inuse(p)) {
    size_t ps = p->prev_size;
    p = chunk_before(p, ps);
    if (unlikely(chunksize(p) != ps)) bm_fatal(prev_msg);
    bm_unlink_chunk(a, p);
    size += ps;
  }
  if (next != a->top) {
    if (!inuse_at(next, nsize)) {
      bm_unlink_chunk(a, next);
      size += nsize;
    } else {
      next->size &= ~PREV_INUSE;
    }
    set_head(p, size | PREV_INUSE | a->nm);
    set_foot(p, size);
    bm_unsorted_push(a, p, "free(): corrupted unsorted chunks");
  } else {
    size += nsize;
    set_head(p, size | PREV_INUSE | a->nm);
    a->top = p;
  }
  return size;
}

#endif
