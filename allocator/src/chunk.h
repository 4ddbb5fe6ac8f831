/* Chunk layout with boundary tags.
 *
 *   chunk -> +-------------------------------+
 *            | prev_size (valid if prev free)|
 *            | size | NON_MAIN | MMAP | PREV |
 *   mem   -> +-------------------------------+
 *            | user data / fd                |
 *            | bk                            |
 *            | fd_nextsize (large bins)      |
 *            | bk_nextsize (large bins)      |
 *            ...
 *   next  -> | prev_size = footer when free  |  <- also the last 8 user bytes
 *
 * An in-use chunk costs 8 bytes: its tail overlaps the next chunk's prev_size.
 */
#ifndef BM_CHUNK_H
#define BM_CHUNK_H

#include "common.h"

typedef struct chunk {
  size_t prev_size;
  size_t size;
  struct chunk *fd;
  struct chunk *bk;
  struct chunk *fd_nextsize;
  struct chunk *bk_nextsize;
} chunk_t;

#define SIZE_SZ 8UL
#define CHUNK_ALIGN 16UL
#define CHUNK_ALIGN_MASK (CHUNK_ALIGN - 1)
#define CHUNK_HDR 16UL
#define MIN_CHUNK 32UL
#define FENCE_SIZE 16UL /* fenceposts closing a non-contiguous segment */

#define PREV_INUSE 0x1UL
#define IS_MMAPPED 0x2UL
#define NON_MAIN_ARENA 0x4UL
#define SIZE_FLAGS 0x7UL

#define MAX_REQUEST ((size_t)PTRDIFF_MAX)

static inline void *chunk2mem(chunk_t *c) {
  return (char *)c + CHUNK_HDR;
}
static inline chunk_t *mem2chunk(void *m) {
  return (chunk_t *)((char *)m - CHUNK_HDR);
}
static inline size_t chunksize(const chunk_t *c) {
  return c->size & ~SIZE_FLAGS;
}
static inline chunk_t *chunk_at(void *c, size_t off) {
  return (chunk_t *)((char *)c + off);
}
static inline chunk_t *chunk_before(void *c, size_t off) {
  return (chunk_t *)((char *)c - off);
}
static inline chunk_t *next_chunk(chunk_t *c) {
  return chunk_at(c, chunksize(c));
}
static inline int prev_inuse(const chunk_t *c) {
  return (int)(c->size & PREV_INUSE);
}
static inline int is_mmapped(const chunk_t *c) {
  return (c->size & IS_MMAPPED) != 0;
}
static inline int non_main(const chunk_t *c) {
  return (c->size & NON_MAIN_ARENA) != 0;
}

/* In-use status lives in the next chunk's PREV_INUSE bit. */
static inline int inuse_at(chunk_t *c, size_t off) {
  return prev_inuse(chunk_at(c, off));
}
static inline void set_inuse_at(chunk_t *c, size_t off) {
  chunk_at(c, off)->size |= PREV_INUSE;
}
static inline void clear_inuse_at(chunk_t *c, size_t off) {
  chunk_at(c, off)->size &= ~PREV_INUSE;
}
static inline void set_head(chunk_t *c, size_t s) {
  c->size = s;
}
static inline void set_foot(chunk_t *c, size_t s) {
  chunk_at(c, s)->prev_size = s;
}

static inline int misaligned_ptr(const void *p) {
  return ((uintptr_t)p & CHUNK_ALIGN_MASK) != 0;
}

/* Request in bytes -> chunk size: header word plus alignment, at least 32. */
static inline size_t request2size(size_t n) {
  size_t s = (n + SIZE_SZ + CHUNK_ALIGN_MASK) & ~CHUNK_ALIGN_MASK;
  return s < MIN_CHUNK ? MIN_CHUNK : s;
}

/* Safe-linking of singly linked lists: the stored pointer is mixed with the
 * address of the slot that holds it, so a stray overwrite is unlikely to form a
 * valid pointer. */
static inline void *protect_ptr(void *slot, void *p) {
  return (void *)(((uintptr_t)slot >> 12) ^ (uintptr_t)p);
}
static inline void *reveal_ptr(void *slot, void *stored) {
  return protect_ptr(slot, stored);
}

#endif
