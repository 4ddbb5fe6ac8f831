/* malloc_trim: consolidate, return whole free pages inside free chunks with
 * MADV_DONTNEED, and shrink the top of every arena down to pad. */
#include "arena.h"
#include "core.h"
#include "tunables.h"
#include "vg.h"

static int release_free_pages(arena_t *a) {
  int did = 0;
  for (unsigned i = UNSORTED_BIN; i < NBINS; i++) {
    chunk_t *head = bin_head(&a->bins[i]);
    for (chunk_t *c = head->fd; c != head; c = c->fd) {
      size_t sz = chunksize(c);
      /* Keep the header and the list words; the footer lies in the next chunk. */
      uintptr_t start = bm_align_up((uintptr_t)c + sizeof(chunk_t), bm_pagesize);
      uintptr_t end = bm_align_down((uintptr_t)c + sz, bm_pagesize);
      if (end > start) {
        bm_sys_dontneed((void *)start, end - start);
        a->ctr.madvised_bytes += end - start;
        did = 1;
      }
    }
  }
  return did;
}

int bm_malloc_trim(size_t pad) {
  bm_ensure_init();
  vg_enter();
  int saved = errno;
  int result = 0;
  for (arena_t *a = &bm_main_arena; a;) {
    bm_lock(&a->lock);
    bm_malloc_consolidate(a);
    result |= release_free_pages(a);
    if (a == &bm_main_arena)
      result |= bm_systrim(a, pad);
    else
      result |= bm_heap_trim(a, pad, 1);
    bm_unlock(&a->lock);
    bm_lock(&bm_list_lock);
    a = a->next;
    bm_unlock(&bm_list_lock);
  }
  errno = saved;
  vg_leave();
  return result;
}
