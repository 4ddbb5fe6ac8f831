/* realloc: in-place shrink, growth into top or a free neighbour, mremap for
 * mmapped chunks, otherwise allocate-copy-free. */
#include "arena.h"
#include "core.h"
#include "tcache.h"
#include "tunables.h"
#include "vg.h"

static void *mremap_chunk(chunk_t *p, size_t nb) {
  size_t offset = p->prev_size;
  size_t old_total = offset + chunksize(p);
  size_t new_total = bm_align_up(nb + offset + SIZE_SZ, bm_pagesize);
  if (new_total < nb) return NULL;
  char *base = (char *)p - offset;
  if (unlikely((((uintptr_t)base | old_total) & (bm_pagesize - 1)) != 0)) bm_fatal("realloc(): invalid pointer");
  if (new_total == old_total) return chunk2mem(p);
  char *nbase = (char *)bm_sys_mremap(base, old_total, new_total);
  if (!nbase) return NULL;
  chunk_t *np = (chunk_t *)(nbase + offset);
  set_head(np, (new_total - offset) | IS_MMAPPED);
  __atomic_add_fetch(&bm_mmapped_bytes_live, new_total - old_total, __ATOMIC_RELAXED);
  __atomic_add_fetch(&bm_mremaps, 1, __ATOMIC_RELAXED);
  return chunk2mem(np);
}

/* Under the arena lock.  Returns the new memory, or NULL if this arena could
 * not provide it (the old chunk is then untouched). */
static void *int_realloc(arena_t *a, chunk_t *p, size_t oldsize, size_t nb) {
  chunk_t *next = chunk_at(p, oldsize);
  size_t nsize = chunksize(next);
  if (unlikely(nsize < FENCE_SIZE || nsize >= a->system_mem)) bm_fatal("realloc(): invalid next size");
  chunk_t *newp = p;
  size_t newsize = oldsize;
  if (oldsize >= nb) {
    /* shrink (or same size) in place */
  } else if (next == a->top) {
    /* Growing the chunk below top: when top is too small, top itself grows
     * (by the whole request plus top_pad, as a malloc of that size would, so a
     * block grown step by step costs a logarithmic number of system calls)
     * and the chunk grows into it without a copy. */
    if (oldsize + nsize < nb + MIN_CHUNK && nb < bm_mp.mmap_threshold && bm_extend_top(a, nb) && a->top == next)
      nsize = chunksize(next);
    if (oldsize + nsize >= nb + MIN_CHUNK) {
      p->size = nb | (p->size & SIZE_FLAGS);
      chunk_t *top = chunk_at(p, nb);
      set_head(top, (oldsize + nsize - nb) | PREV_INUSE | a->nm);
      a->top = top;
      if ((char *)top + CHUNK_HDR > a->fresh_from) a->fresh_from = (char *)top + CHUNK_HDR;
      a->ctr.realloc_inplace++;
      return chunk2mem(p);
    }
    goto move;
  } else if (!inuse_at(next, nsize) && oldsize + nsize >= nb) {
    bm_unlink_chunk(a, next);
    newsize = oldsize + nsize;
  } else {
    goto move;
  }
grown:
  a->ctr.realloc_inplace++;
  {
    size_t rsize = newsize - nb;
    if (rsize < MIN_CHUNK) {
      newp->size = newsize | (newp->size & SIZE_FLAGS);
      set_inuse_at(newp, newsize);
    } else {
      newp->size = nb | (newp->size & SIZE_FLAGS);
      chunk_t *rem = chunk_at(newp, nb);
      set_head(rem, rsize | PREV_INUSE | a->nm);
      set_inuse_at(rem, rsize);
      bm_free_chunk_locked(a, rem, rsize);
    }
    return chunk2mem(newp);
  }
move : {
  void *mem = bm_int_malloc(a, nb);
  if (!mem) return NULL;
  if (mem2chunk(mem) == next) {
    /* The new chunk is the one right after p: p absorbs it, no copy. */
    newsize = oldsize + chunksize(next);
    goto grown;
  }
  memcpy(mem, chunk2mem(p), oldsize - SIZE_SZ);
  bm_free_chunk_locked(a, p, oldsize);
  return mem;
}
}

void *bm_realloc(void *mem, size_t n) {
  if (mem == NULL) return bm_malloc(n);
  if (n == 0) {
    bm_free(mem);
    return NULL;
  }
  bm_ensure_init();
  if (unlikely(bm_vg)) return bm_vg_realloc(mem, n);
  chunk_t *p = mem2chunk(mem);
  size_t oldsize = chunksize(p);
  if (unlikely(((uintptr_t)p & CHUNK_ALIGN_MASK) != 0 || (uintptr_t)p > (uintptr_t)-oldsize))
    bm_fatal("realloc(): invalid pointer");
  if (unlikely(n > MAX_REQUEST)) {
    errno = ENOMEM;
    return NULL;
  }
  size_t nb = request2size(n);
  if (is_mmapped(p)) {
    void *r = mremap_chunk(p, nb);
    if (r) return r;
    if (oldsize - CHUNK_HDR >= n) return mem;
    void *nm = bm_malloc(n);
    if (!nm) return NULL;
    memcpy(nm, mem, oldsize - CHUNK_HDR);
    bm_munmap_chunk(p);
    return nm;
  }
  if (unlikely(oldsize < MIN_CHUNK || (oldsize & CHUNK_ALIGN_MASK))) bm_fatal("realloc(): invalid pointer");
  arena_t *a = arena_for_chunk(p);
  int need = bm_need_lock();
  if (need) bm_lock(&a->lock);
  void *r = int_realloc(a, p, oldsize, nb);
  if (need) bm_unlock(&a->lock);
  if (r) return r;
  /* This arena could not serve it (int_realloc tried a fresh chunk there
   * too): another arena may, if one could do better. */
  void *nm = bm_malloc_retry(a, nb);
  if (!nm) return NULL;
  memcpy(nm, mem, oldsize - SIZE_SZ);
  bm_free(mem);
  return nm;
}

void *bm_reallocarray(void *p, size_t n, size_t m) {
  size_t bytes;
  if (__builtin_mul_overflow(n, m, &bytes)) {
    errno = ENOMEM;
    return NULL;
  }
  return bm_realloc(p, bytes);
}
