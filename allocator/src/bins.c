/* Doubly linked bin operations with integrity checks. */
#include "bins.h"

#include "arena.h"

void bm_unlink_chunk(arena_t *a, chunk_t *p) {
  size_t sz = chunksize(p);
  if (unlikely(chunk_at(p, sz)->prev_size != sz)) bm_fatal("corrupted size vs. prev_size");
  chunk_t *fd = p->fd, *bk = p->bk;
  if (unlikely(fd->bk != p || bk->fd != p)) bm_fatal("corrupted double-linked list");
  fd->bk = bk;
  bk->fd = fd;
  if (in_smallbin_range(sz) || p->fd_nextsize == NULL) return;
  /* p leads its size group in a large bin's skip list. */
  if (unlikely(p->fd_nextsize->bk_nextsize != p || p->bk_nextsize->fd_nextsize != p))
    bm_fatal("corrupted double-linked list");
  chunk_t *head = bin_head(&a->bins[largebin_index(sz)]);
  if (fd != head && fd->fd_nextsize == NULL) {
    /* The next chunk of the same size takes over. */
    if (p->fd_nextsize == p) {
      fd->fd_nextsize = fd->bk_nextsize = fd;
    } else {
      fd->fd_nextsize = p->fd_nextsize;
      fd->bk_nextsize = p->bk_nextsize;
      p->fd_nextsize->bk_nextsize = fd;
      p->bk_nextsize->fd_nextsize = fd;
    }
  } else if (p->fd_nextsize != p) {
    p->fd_nextsize->bk_nextsize = p->bk_nextsize;
    p->bk_nextsize->fd_nextsize = p->fd_nextsize;
  }
}

static void link_before(chunk_t *p, chunk_t *at) {
  p->fd = at;
  p->bk = at->bk;
  at->bk->fd = p;
  at->bk = p;
}

void bm_bin_insert(arena_t *a, chunk_t *p, size_t sz) {
  unsigned idx = bin_index(sz);
  chunk_t *head = bin_head(&a->bins[idx]);
  binmap_mark(a->binmap, idx);
  if (in_smallbin_range(sz)) {
    link_before(p, head->fd); /* front of the bin; malloc takes from the back */
    return;
  }
  chunk_t *largest = head->fd;
  if (largest == head) {
    link_before(p, head);
    p->fd_nextsize = p->bk_nextsize = p;
    return;
  }
  size_t smallest = chunksize(head->bk);
  if (sz < smallest) {
    /* New smallest size: append, and close the size ring through it. */
    chunk_t *smallest_lead = largest->bk_nextsize;
    link_before(p, head);
    p->fd_nextsize = largest;
    p->bk_nextsize = smallest_lead;
    smallest_lead->fd_nextsize = p;
    largest->bk_nextsize = p;
    return;
  }
  chunk_t *lead = largest;
  size_t largest_size = chunksize(largest);
  if (sz < largest_size && sz - smallest < largest_size - sz) {
    /* Nearer the small end: walk up to the first size group >= sz (it exists,
     * sz < largest_size), then step to the group below it unless equal. */
    lead = largest->bk_nextsize;
    while (chunksize(lead) < sz) lead = lead->bk_nextsize;
    if (chunksize(lead) != sz) lead = lead->fd_nextsize;
  } else {
    while (chunksize(lead) > sz) lead = lead->fd_nextsize;
  }
  if (chunksize(lead) == sz) {
    /* Same size exists: go second so the skip list is untouched. */
    p->fd_nextsize = p->bk_nextsize = NULL;
    link_before(p, lead->fd);
    return;
  }
  link_before(p, lead);
  p->fd_nextsize = lead;
  p->bk_nextsize = lead->bk_nextsize;
  lead->bk_nextsize->fd_nextsize = p;
  lead->bk_nextsize = p;
}

void bm_unsorted_push(arena_t *a, chunk_t *p, const char *msg) {
  chunk_t *head = bin_head(&a->bins[UNSORTED_BIN]);
  chunk_t *first = head->fd;
  if (unlikely(first->bk != head)) bm_fatal(msg);
  p->fd = first;
  p->bk = head;
  first->bk = p;
  head->fd = p;
  if (!in_smallbin_range(chunksize(p))) p->fd_nextsize = p->bk_nextsize = NULL;
}
