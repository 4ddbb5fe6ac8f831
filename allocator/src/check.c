/* Fatal error reporting and the heap checker (binmalloc_check_heap). */
#include <stdlib.h>
#include <unistd.h>

#include "arena.h"
#include "core.h"
#include "fmt.h"
#include "tcache.h"
#include "tunables.h"
#include "vg.h"

void bm_fatal(const char *msg) {
  bm_buf_t b;
  bm_buf_init(&b, 2);
  bm_buf_str(&b, msg);
  bm_buf_str(&b, "\n");
  bm_buf_flush(&b);
  abort();
}

void bm_check_fail(const char *what) {
  bm_buf_t b;
  bm_buf_init(&b, 2);
  bm_buf_str(&b, "binmalloc: heap check: ");
  bm_buf_str(&b, what);
  bm_buf_str(&b, "\n");
  bm_buf_flush(&b);
  abort();
}

#define CHECK(cond, what)                       \
  do {                                          \
    if (unlikely(!(cond))) bm_check_fail(what); \
  } while (0)

typedef struct walk_result {
  size_t free_chunks; /* coalesced free chunks (in bins), excluding top */
  size_t free_bytes;
  int complete;
} walk_result_t;

/* Walks [start, end) chunk by chunk.  The segment ends with top (if it holds
 * top) or with fenceposts. */
static void walk_segment(arena_t *a, char *start, char *end, walk_result_t *w) {
  chunk_t *c = (chunk_t *)start;
  int prev_free = 0;
  int first = 1;
  while ((char *)c < end) {
    CHECK(!misaligned_ptr(c), "misaligned chunk in segment");
    size_t sz = chunksize(c);
    CHECK((c->size & NON_MAIN_ARENA) == a->nm, "NON_MAIN_ARENA bit does not match the arena");
    CHECK(!is_mmapped(c), "IS_MMAPPED chunk inside an arena");
    CHECK((sz & CHUNK_ALIGN_MASK) == 0, "chunk size not a multiple of 16");
    CHECK(sz >= FENCE_SIZE, "chunk size below minimum");
    CHECK((char *)c + sz <= end, "chunk runs past its segment");
    if (first)
      CHECK(prev_inuse(c), "first chunk of a segment without PREV_INUSE");
    else
      CHECK(prev_inuse(c) == !prev_free, "PREV_INUSE does not match the previous chunk");
    first = 0;
    if (c == a->top) {
      CHECK((char *)c + sz == end, "top does not end its segment");
      CHECK(!prev_free, "free chunk before top");
      return;
    }
    if (sz == FENCE_SIZE || (char *)c + sz + FENCE_SIZE == end) {
      /* fenceposts: [fence1][fence2] at the segment end */
      if (sz != FENCE_SIZE) {
        chunk_t *f2 = chunk_at(c, sz);
        CHECK(chunksize(f2) == FENCE_SIZE && f2->prev_size == sz, "bad fencepost");
        return;
      }
      c = chunk_at(c, sz);
      if ((char *)c == end) return;
      CHECK((char *)c + FENCE_SIZE == end && chunksize(c) == FENCE_SIZE, "bad fencepost");
      return;
    }
    CHECK(sz >= MIN_CHUNK, "chunk smaller than 32 bytes");
    chunk_t *next = chunk_at(c, sz);
    int is_free = !prev_inuse(next);
    if (is_free) {
      CHECK(!prev_free, "two adjacent free chunks");
      CHECK(next->prev_size == sz, "free chunk footer does not match its size");
      w->free_chunks++;
      w->free_bytes += sz;
    }
    prev_free = is_free;
    c = next;
  }
  CHECK(0, "segment walk ended without top or fencepost");
}

static void walk_arena(arena_t *a, walk_result_t *w) {
  w->complete = 1;
  if (a == &bm_main_arena) {
    if (bm_main_nsegs > MAX_MAIN_SEGMENTS) {
      w->complete = 0;
      return;
    }
    for (int i = 0; i < bm_main_nsegs; i++) {
      char *start = bm_main_segs[i].start;
      char *end = (i == bm_main_nsegs - 1) ? (char *)a->top + chunksize(a->top) : bm_main_segs[i].end;
      walk_segment(a, start, end, w);
    }
    return;
  }
  size_t total = 0;
  for (heap_info_t *h = a->heap; h; h = h->prev) {
    CHECK(h->ar == a, "heap does not point to its arena");
    CHECK(((uintptr_t)h & (HEAP_MAX_SIZE - 1)) == 0, "heap not aligned");
    CHECK(h->size <= h->committed && h->committed <= HEAP_MAX_SIZE, "heap sizes inconsistent");
    CHECK(h->orphaned == (a->attached_threads == 0), "heap's orphaned flag disagrees with the arena's threads");
    walk_segment(a, (char *)bm_heap_first_chunk(h), (char *)h + h->size, w);
    total += h->size;
  }
  CHECK(total == a->system_mem, "non-main arena system_mem does not match its heaps");
}

/* A chunk found in a bin must be a free, well-formed chunk of the arena. */
static void check_free_chunk(arena_t *a, chunk_t *c) {
  CHECK(!misaligned_ptr(c), "misaligned chunk in a bin");
  size_t sz = chunksize(c);
  CHECK(sz >= MIN_CHUNK && (sz & CHUNK_ALIGN_MASK) == 0, "bad size of a binned chunk");
  CHECK(sz <= a->system_mem, "binned chunk larger than the arena");
  CHECK(c != a->top, "top chunk in a bin");
  chunk_t *next = chunk_at(c, sz);
  CHECK(!prev_inuse(next), "binned chunk marked in use");
  CHECK(next->prev_size == sz, "binned chunk footer mismatch");
  CHECK(prev_inuse(c), "binned chunk follows a free chunk");
}

static size_t check_bins(arena_t *a) {
  size_t total = 0;
  size_t limit = a->system_mem / MIN_CHUNK + 2;
  for (unsigned i = UNSORTED_BIN; i < NBINS; i++) {
    chunk_t *head = bin_head(&a->bins[i]);
    size_t n = 0;
    size_t prev_size = SIZE_MAX;
    chunk_t *prev_lead = NULL, *first_lead = NULL;
    for (chunk_t *c = head->fd; c != head; c = c->fd) {
      CHECK(c->fd->bk == c && c->bk->fd == c, "bin list links broken");
      check_free_chunk(a, c);
      size_t sz = chunksize(c);
      if (i != UNSORTED_BIN) CHECK(bin_index(sz) == i, "chunk size does not belong to its bin");
      if (i >= FIRST_LARGE_BIN) {
        CHECK(sz <= prev_size, "large bin not sorted");
        if (sz != prev_size) {
          CHECK(c->fd_nextsize != NULL && c->bk_nextsize != NULL, "large bin size leader without skip links");
          if (prev_lead)
            CHECK(prev_lead->fd_nextsize == c && c->bk_nextsize == prev_lead, "large bin skip list broken");
          else
            first_lead = c;
          prev_lead = c;
        } else {
          CHECK(c->fd_nextsize == NULL, "large bin follower with skip links");
        }
        prev_size = sz;
      }
      CHECK(++n <= limit, "bin list has a cycle");
    }
    if (i >= FIRST_LARGE_BIN && first_lead)
      CHECK(prev_lead->fd_nextsize == first_lead && first_lead->bk_nextsize == prev_lead,
            "large bin skip ring not closed");
    if (n && i != UNSORTED_BIN) CHECK(binmap_get(a->binmap, i), "binmap bit clear for a non-empty bin");
    total += n;
  }
  return total;
}

/* One fastbin list (the bin itself or its backlog); *n counts the chunks of
 * bin i seen so far.  must_flag: have_fastchunks must be set (pushes from
 * other threads set it after their swap, so a bin read while threads push
 * may be ahead of it; the backlog changes only under the lock). */
static void check_fast_list(arena_t *a, unsigned i, chunk_t *c, size_t *n, size_t limit, int must_flag) {
  for (; c; c = (chunk_t *)reveal_ptr(&c->fd, c->fd)) {
    CHECK(!misaligned_ptr(c), "misaligned fastbin entry");
    size_t sz = chunksize(c);
    CHECK(sz >= MIN_CHUNK && fastbin_index(sz) == i, "fastbin entry of the wrong size");
    CHECK(inuse_at(c, sz), "fastbin entry not marked in use");
    if (must_flag) CHECK(a->have_fastchunks, "fastbin entries but have_fastchunks clear");
    CHECK(++*n <= limit, "fastbin list has a cycle");
  }
}

static void check_fastbins(arena_t *a) {
  size_t limit = a->system_mem / MIN_CHUNK + 2;
  for (unsigned i = 0; i < NFASTBINS; i++) {
    size_t n = 0;
    check_fast_list(a, i, a->fast_backlog[i], &n, limit, 1);
    check_fast_list(a, i, __atomic_load_n(&a->fastbins[i], __ATOMIC_ACQUIRE), &n, limit, !bm_need_lock());
  }
}

static void check_tcache(void) {
  tcache_t *tc = bm_tcache;
  if (!tc) return;
  for (size_t i = 0; i < TCACHE_BINS; i++) {
    size_t n = 0;
    for (tc_entry_t *e = tc->entries[i]; e; e = (tc_entry_t *)reveal_ptr(&e->next, e->next)) {
      CHECK(!misaligned_ptr(e), "misaligned tcache entry");
      chunk_t *c = mem2chunk(e);
      size_t sz = chunksize(c);
      CHECK(tc_bin_of(sz) == i, "tcache entry of the wrong size");
      CHECK(!is_mmapped(c), "mmapped chunk in the tcache");
      CHECK(inuse_at(c, sz), "tcache entry not marked in use");
      CHECK(e->key == bm_tcache_key, "tcache entry without its key");
      CHECK(++n <= MAX_TCACHE_COUNT, "tcache list has a cycle");
    }
    CHECK(n == tc->counts[i], "tcache count does not match its list");
    CHECK(n <= tc->limits[i], "tcache bin over its limit");
    CHECK(tc->limits[i] >= tc_base_depth(i) && tc->limits[i] <= bm_tc_depth, "tcache bin depth out of range");
  }
  for (int large = 0; large < 2; large++) {
    CHECK(bm_tcache_grown_bytes(tc, large) == tc->grown[large], "tcache growth count does not match its depths");
    CHECK(tc->grown[large] <= tc_budget_for(large, 1), "tcache growth over its byte budget");
  }
  size_t n = 0, bytes = 0;
  for (tc_entry_t *e = tc->remote; e; e = (tc_entry_t *)reveal_ptr(&e->next, e->next)) {
    CHECK(!misaligned_ptr(e), "misaligned held remote free");
    chunk_t *c = mem2chunk(e);
    size_t sz = chunksize(c);
    CHECK(!is_mmapped(c) && arena_for_chunk(c) == tc->remote_arena, "held remote free of the wrong arena");
    CHECK(inuse_at(c, sz), "held remote free not marked in use");
    CHECK(e->key == bm_tcache_key, "held remote free without its key");
    CHECK(++n <= REMOTE_MAX_CHUNKS, "held remote frees over their limit");
    bytes += sz;
  }
  CHECK(n == tc->remote_count && bytes == tc->remote_bytes, "held remote frees do not match their counts");
}

static void check_arena(arena_t *a) {
  chunk_t *top = a->top;
  size_t tsize = chunksize(top);
  CHECK(tsize <= a->system_mem, "top larger than the arena");
  if (tsize) CHECK(prev_inuse(top), "top without PREV_INUSE");
  walk_result_t w = {0, 0, 0};
  walk_arena(a, &w);
  size_t binned = check_bins(a);
  if (w.complete) CHECK(binned == w.free_chunks, "free chunks and binned chunks differ");
  check_fastbins(a);
}

int bm_check_heap(void) {
  bm_ensure_init();
  vg_enter();
  bm_lock(&bm_list_lock);
  size_t n = 0;
  for (arena_t *a = &bm_main_arena; a; a = a->next) {
    bm_lock(&a->lock);
    check_arena(a);
    bm_unlock(&a->lock);
    n++;
  }
  CHECK(n == bm_narenas_linked, "arena count mismatch");
  bm_unlock(&bm_list_lock);
  check_tcache();
  vg_leave();
  return 0;
}
