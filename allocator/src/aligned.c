/* Aligned allocation: memalign, posix_memalign, aligned_alloc, valloc, pvalloc. */
#include "arena.h"
#include "core.h"
#include "tunables.h"
#include "vg.h"

static int is_pow2(size_t x) {
  return x && !(x & (x - 1));
}

/* Over-allocates, then gives back the misaligned front and the excess tail.
 * Under the arena lock; nb is a chunk size, align a power of two > 16. */
void *bm_int_memalign(arena_t *a, size_t align, size_t nb) {
  /* align may reach 2^63: compare without letting the subtraction wrap. */
  if (align + MIN_CHUNK > MAX_REQUEST || nb > MAX_REQUEST - align - MIN_CHUNK) {
    errno = ENOMEM;
    return NULL;
  }
  void *m = bm_int_malloc(a, nb + align + MIN_CHUNK);
  if (!m) return NULL;
  chunk_t *p = mem2chunk(m);
  if ((uintptr_t)m & (align - 1)) {
    char *at = (char *)mem2chunk((void *)bm_align_up((uintptr_t)m, align));
    if ((size_t)(at - (char *)p) < MIN_CHUNK) at += align;
    chunk_t *np = (chunk_t *)at;
    size_t lead = (size_t)(at - (char *)p);
    size_t newsize = chunksize(p) - lead;
    if (is_mmapped(p)) {
      np->prev_size = p->prev_size + lead;
      set_head(np, newsize | IS_MMAPPED);
      return chunk2mem(np);
    }
    set_head(np, newsize | PREV_INUSE | a->nm);
    set_inuse_at(np, newsize);
    p->size = lead | (p->size & SIZE_FLAGS);
    bm_free_chunk_locked(a, p, lead);
    p = np;
  }
  if (!is_mmapped(p)) {
    size_t size = chunksize(p);
    if (size >= nb + MIN_CHUNK) {
      chunk_t *rem = chunk_at(p, nb);
      set_head(rem, (size - nb) | PREV_INUSE | a->nm);
      p->size = nb | (p->size & SIZE_FLAGS);
      bm_free_chunk_locked(a, rem, size - nb);
    }
  }
  return chunk2mem(p);
}

static void *memalign_impl(size_t align, size_t n) {
  if (align <= CHUNK_ALIGN) return bm_malloc(n);
  bm_ensure_init();
  if (align > SIZE_MAX / 2 + 1) {
    errno = EINVAL;
    return NULL;
  }
  if (!is_pow2(align)) {
    size_t a = CHUNK_ALIGN * 2;
    while (a < align) a <<= 1;
    align = a;
  }
  if (unlikely(bm_vg)) return bm_vg_memalign(align, n);
  if (n > MAX_REQUEST) {
    errno = ENOMEM;
    return NULL;
  }
  size_t nb = request2size(n);
  arena_t *a = bm_arena_get();
  int need = bm_need_lock();
  if (need) bm_lock(&a->lock);
  void *m = bm_int_memalign(a, align, nb);
  if (need) bm_unlock(&a->lock);
  if (!m) {
    arena_t *b = bm_arena_retry(a, nb);
    if (b) {
      need = bm_need_lock();
      if (need) bm_lock(&b->lock);
      m = bm_int_memalign(b, align, nb);
      if (need) bm_unlock(&b->lock);
    }
    if (!m) errno = ENOMEM;
  }
  return m;
}

void *bm_memalign(size_t align, size_t n) {
  return memalign_impl(align, n);
}

int bm_posix_memalign(void **out, size_t align, size_t n) {
  if (align % sizeof(void *) != 0 || !is_pow2(align / sizeof(void *)) || align == 0) return EINVAL;
  int saved = errno;
  void *m = memalign_impl(align, n);
  if (!m) return ENOMEM; /* errno stays ENOMEM too, as the C library leaves it */
  errno = saved;
  *out = m;
  return 0;
}

void *bm_aligned_alloc(size_t align, size_t n) {
  if (!is_pow2(align)) {
    errno = EINVAL;
    return NULL;
  }
  return memalign_impl(align, n);
}

void *bm_valloc(size_t n) {
  bm_ensure_init();
  return memalign_impl(bm_pagesize, n);
}

void *bm_pvalloc(size_t n) {
  bm_ensure_init();
  if (n > SIZE_MAX - bm_pagesize) {
    errno = ENOMEM;
    return NULL;
  }
  return memalign_impl(bm_pagesize, bm_align_up(n ? n : 1, bm_pagesize));
}
