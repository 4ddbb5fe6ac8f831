/* Valgrind-mode entry points (see vg.h).  Each user block is described to
 * memcheck with its exact requested size, kept in the last word of the chunk's
 * usable space (beyond the block, so NOACCESS to the user). */
#include "arena.h"
#include "core.h"
#include "tunables.h"
#include "vg.h"

static size_t raw_usable(void *mem) {
  chunk_t *p = mem2chunk(mem);
  return is_mmapped(p) ? chunksize(p) - CHUNK_HDR : chunksize(p) - SIZE_SZ;
}
static size_t *stash_slot(void *mem) {
  return (size_t *)((char *)mem + raw_usable(mem) - sizeof(size_t));
}

void *bm_vg_malloc(size_t n) {
  if (n > MAX_REQUEST - SIZE_SZ) {
    errno = ENOMEM;
    return NULL;
  }
  VALGRIND_DISABLE_ERROR_REPORTING;
  void *m = bm_malloc_from_arena(request2size(n + SIZE_SZ));
  if (m) *stash_slot(m) = n;
  VALGRIND_ENABLE_ERROR_REPORTING;
  if (m) VALGRIND_MALLOCLIKE_BLOCK(m, n, 0, 0);
  return m;
}

void *bm_vg_calloc(size_t n, size_t m) {
  size_t bytes = n * m; /* overflow checked by the caller */
  if (bytes > MAX_REQUEST - SIZE_SZ) {
    errno = ENOMEM;
    return NULL;
  }
  VALGRIND_DISABLE_ERROR_REPORTING;
  void *mem = bm_malloc_from_arena(request2size(bytes + SIZE_SZ));
  if (mem) {
    memset(mem, 0, bytes);
    *stash_slot(mem) = bytes;
  }
  VALGRIND_ENABLE_ERROR_REPORTING;
  if (mem) VALGRIND_MALLOCLIKE_BLOCK(mem, bytes, 0, 1);
  return mem;
}

void bm_vg_free(void *mem) {
  VALGRIND_FREELIKE_BLOCK(mem, 0);
  VALGRIND_DISABLE_ERROR_REPORTING;
  int saved = errno;
  bm_free_mmapped_or_arena(mem2chunk(mem));
  errno = saved;
  VALGRIND_ENABLE_ERROR_REPORTING;
}

size_t bm_vg_usable_size(void *mem) {
  VALGRIND_DISABLE_ERROR_REPORTING;
  size_t n = *stash_slot(mem);
  VALGRIND_ENABLE_ERROR_REPORTING;
  return n;
}

void *bm_vg_realloc(void *mem, size_t n) {
  if (n > MAX_REQUEST - SIZE_SZ) {
    errno = ENOMEM;
    return NULL;
  }
  VALGRIND_DISABLE_ERROR_REPORTING;
  size_t old_n = *stash_slot(mem);
  size_t room = raw_usable(mem) - SIZE_SZ;
  if (n <= room) *stash_slot(mem) = n;
  VALGRIND_ENABLE_ERROR_REPORTING;
  if (n <= room) {
    /* Fits in the chunk: resize in place. */
    VALGRIND_RESIZEINPLACE_BLOCK(mem, old_n, n, 0);
    return mem;
  }
  void *nm = bm_vg_malloc(n);
  if (!nm) return NULL;
  memcpy(nm, mem, old_n < n ? old_n : n);
  bm_vg_free(mem);
  return nm;
}

void *bm_vg_memalign(size_t align, size_t n) {
  if (n > MAX_REQUEST - SIZE_SZ) {
    errno = ENOMEM;
    return NULL;
  }
  VALGRIND_DISABLE_ERROR_REPORTING;
  arena_t *a = bm_arena_get();
  bm_lock(&a->lock);
  void *m = bm_int_memalign(a, align, request2size(n + SIZE_SZ));
  bm_unlock(&a->lock);
  if (m) *stash_slot(m) = n;
  VALGRIND_ENABLE_ERROR_REPORTING;
  if (m)
    VALGRIND_MALLOCLIKE_BLOCK(m, n, 0, 0);
  else
    errno = ENOMEM;
  return m;
}
