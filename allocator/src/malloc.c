/* malloc paths: the tcache fast path, _int_malloc-style bin search
 * (fastbin -> small bin -> unsorted with last_remainder -> large bin best fit
 * -> binmap -> top), malloc_consolidate and sysmalloc. */
#include <sys/mman.h>

#include "arena.h"
#include "coalesce.h"
#include "core.h"
#include "fastbin.h"
#include "tcache.h"
#include "tunables.h"
#include "vg.h"

uint64_t bm_mmapped_live, bm_mmapped_bytes_live, bm_mmapped_total, bm_munmapped_total, bm_mremaps;

/* ---- helpers -------------------------------------------------------------- */

/* Splits nb bytes off the front of a free (already unlinked) chunk; the
 * remainder goes to the unsorted bin. */
static chunk_t *split_chunk(arena_t *a, chunk_t *victim, size_t size, size_t nb, int remember) {
  size_t rsize = size - nb;
  if (rsize < MIN_CHUNK) {
    set_inuse_at(victim, size);
    return victim;
  }
  chunk_t *rem = chunk_at(victim, nb);
  set_head(victim, nb | PREV_INUSE | a->nm);
  set_head(rem, rsize | PREV_INUSE | a->nm);
  set_foot(rem, rsize);
  bm_unsorted_push(a, rem, "malloc(): corrupted unsorted chunks");
  if (remember) a->last_remainder = rem;
  return victim;
}

/* Serves nb from fastbin fidx and moves more chunks of that size into the
 * thread's cache, in the fastbin's order: the cache hands them out in the
 * order the fastbin would have, so the two together still serve the newest
 * chunk first.  With other threads a deepened bin is filled up, one lock for
 * many mallocs; a single thread takes no lock and moves glibc's 7: a long
 * stash is a chain of dependent loads with nothing to overlap them, where
 * short ones interleave with the program's own work (glibc-simple n=1600:
 * 0.88x glibc's speed with full stashes, 0.98x with 7; measured in
 * results/binmalloc/README.md).  The served chunk and the stash leave the
 * fastbin in one swap (bm_fastbin_pop_run). */
static chunk_t *take_fastbin(arena_t *a, unsigned fidx, size_t nb) {
  tcache_t *tc = bm_tcache;
  size_t tidx = tc_index(nb);
  int mt = bm_need_lock();
  unsigned room = 0;
  if (tc && tidx < bm_tc_nbins) {
    unsigned fill = mt ? tc->limits[tidx] : (unsigned)bm_tc_count;
    room = fill > tc->counts[tidx] ? fill - tc->counts[tidx] : 0;
  }
  chunk_t *victim, *end;
  unsigned n = bm_fastbin_pop_run(a, fidx, mt, 1 + room, &victim, &end);
  if (!n) return NULL;
  if (unlikely(fastbin_index(chunksize(victim)) != fidx)) bm_fatal("malloc(): memory corruption (fast)");
  a->fast_reused += n;
  if (n == 1) return victim;
  /* The stash's fd words become the cache's links (the same word, which
   * links entries rather than chunks); the pop has just read them. */
  chunk_t *run = (chunk_t *)reveal_ptr(&victim->fd, victim->fd);
  uintptr_t key = bm_tcache_key;
  tc_entry_t *first = (tc_entry_t *)chunk2mem(run), *last = (tc_entry_t *)chunk2mem(end);
  for (chunk_t *c = run; c != end;) {
    chunk_t *next = (chunk_t *)reveal_ptr(&c->fd, c->fd);
    tc_entry_t *e = (tc_entry_t *)chunk2mem(c);
    e->key = key;
    e->next = (tc_entry_t *)protect_ptr(&e->next, chunk2mem(next));
    c = next;
  }
  last->key = key;
  last->next = (tc_entry_t *)protect_ptr(&last->next, tc->entries[tidx]);
  tc->entries[tidx] = first;
  tc->counts[tidx] = (uint16_t)(tc->counts[tidx] + n - 1);
  return victim;
}

static void stash_smallbin(bin_t *bin, size_t nb) {
  tcache_t *tc = bm_tcache;
  size_t tidx = tc_index(nb);
  if (!tc || tidx >= bm_tc_nbins) return;
  chunk_t *head = bin_head(bin);
  while (tc->counts[tidx] < tc->limits[tidx]) {
    chunk_t *c = bin->bk;
    if (c == head) break;
    chunk_t *bck = c->bk;
    if (unlikely(bck->fd != c)) bm_fatal("malloc(): smallbin double linked list corrupted");
    set_inuse_at(c, nb);
    bin->bk = bck;
    bck->fd = head;
    tcache_push(tc, tidx, c);
  }
}

/* ---- malloc_consolidate --------------------------------------------------- */
/* arena_t.coalesce_bursts goes on when a consolidation takes CONS_COLD_CHUNKS
 * or more chunks from the fastbins, more than malloc reused from them since
 * the one before (they were walked here, out of the processor's cache, not
 * reused), and off when malloc reused more than CONS_REUSE_OFF times what a
 * consolidation takes plus CONS_COLD_CHUNKS. */
#define CONS_COLD_CHUNKS 1024
#define CONS_REUSE_OFF 4

void bm_malloc_consolidate(arena_t *a) {
  if (!__atomic_load_n(&a->have_fastchunks, __ATOMIC_RELAXED)) return;
  __atomic_store_n(&a->have_fastchunks, 0, __ATOMIC_RELAXED);
  a->ctr.consolidations++;
  int mt = bm_need_lock();
  size_t taken = 0;
  for (unsigned i = 0; i < NFASTBINS; i++) {
    for (int list = 0; list < 2; list++) {
      chunk_t *p = list ? bm_fastbin_take_all(a, i, mt) : bm_fastbin_take_backlog(a, i);
      for (; p; taken++) {
        if (unlikely(misaligned_ptr(p))) bm_fatal("malloc_consolidate(): unaligned fastbin chunk detected");
        size_t sz = chunksize(p);
        if (unlikely(sz < MIN_CHUNK || fastbin_index(sz) != i)) bm_fatal("malloc_consolidate(): invalid chunk size");
        chunk_t *next = (chunk_t *)reveal_ptr(&p->fd, p->fd);
        bm_release_chunk(a, p, sz, "corrupted size vs. prev_size in fastbins");
        p = next;
      }
    }
  }
  size_t reused = a->fast_reused;
  a->fast_reused = 0;
  if (taken >= CONS_COLD_CHUNKS && taken > reused)
    __atomic_store_n(&a->coalesce_bursts, 1, __ATOMIC_RELAXED);
  else if (reused > CONS_REUSE_OFF * taken + CONS_COLD_CHUNKS)
    __atomic_store_n(&a->coalesce_bursts, 0, __ATOMIC_RELAXED);
}

/* ---- system memory -------------------------------------------------------- */
static void *mmap_chunk(size_t nb) {
  size_t size = bm_align_up(nb + SIZE_SZ, bm_pagesize);
  if (size < nb) return NULL;
  if ((int64_t)__atomic_load_n(&bm_mmapped_live, __ATOMIC_RELAXED) >= (int64_t)bm_mp.n_mmaps_max) return NULL;
  char *mm = (char *)bm_sys_mmap(size);
  if (!mm) return NULL;
  vg_noaccess(mm, size);
  chunk_t *p = (chunk_t *)mm;
  p->prev_size = 0;
  set_head(p, size | IS_MMAPPED);
  __atomic_add_fetch(&bm_mmapped_live, 1, __ATOMIC_RELAXED);
  __atomic_add_fetch(&bm_mmapped_bytes_live, size, __ATOMIC_RELAXED);
  __atomic_add_fetch(&bm_mmapped_total, 1, __ATOMIC_RELAXED);
  return chunk2mem(p);
}

/* Ends a segment whose top chunk is being abandoned: two fenceposts at its end
 * (the first records nothing, the second holds the first's size in
 * prev_size), the rest released to the bins. */
static void close_segment(arena_t *a, chunk_t *old_top, size_t old_size) {
  if (old_size < 2 * FENCE_SIZE) return; /* the size-0 initial top */
  size_t keep = old_size - 2 * FENCE_SIZE;
  size_t f1 = FENCE_SIZE;
  if (keep && keep < MIN_CHUNK) {
    f1 += keep;
    keep = 0;
  }
  chunk_t *fence1 = chunk_at(old_top, keep);
  chunk_t *fence2 = chunk_at(fence1, f1);
  set_head(fence1, f1 | PREV_INUSE | a->nm);
  fence2->prev_size = f1;
  set_head(fence2, FENCE_SIZE | PREV_INUSE | a->nm);
  if (keep) {
    set_head(old_top, keep | PREV_INUSE | a->nm);
    bm_release_chunk(a, old_top, keep, "corrupted size vs. prev_size");
  }
}

/* Grows the arena's top from the system so that it can serve nb bytes: in place
 * when the break or the heap can move, else in a new segment / heap (the old
 * top is then closed).  Returns 0 when the system gives nothing. */
int bm_extend_top(arena_t *a, size_t nb) {
  chunk_t *old_top = a->top;
  size_t old_size = chunksize(old_top);
  char *old_end = (char *)old_top + old_size;

  if (a != &bm_main_arena) {
    heap_info_t *h = heap_for_ptr(old_top);
    size_t before = h->size;
    /* Grow by top_pad more than needed (fewer mprotect calls), or by the
     * minimum when the heap is nearly full. */
    if (bm_grow_heap(h, nb + bm_mp.top_pad + MIN_CHUNK - old_size) == 0 ||
        bm_grow_heap(h, nb + MIN_CHUNK - old_size) == 0) {
      a->system_mem += h->size - before;
      if (a->fresh_from > old_end) a->fresh_from = old_end;
      set_head(old_top, (size_t)((char *)h + h->size - (char *)old_top) | PREV_INUSE | a->nm);
      a->ctr.heap_grows++;
    } else {
      heap_info_t *nh = bm_new_heap(sizeof(heap_info_t) + CHUNK_ALIGN + nb + MIN_CHUNK + bm_mp.top_pad);
      if (!nh) return 0;
      nh->ar = a;
      nh->prev = h;
      nh->orphaned = h->orphaned; /* under the arena's lock, as set_orphaned writes it */
      a->heap = nh;
      a->system_mem += nh->size;
      chunk_t *top = bm_heap_first_chunk(nh);
      size_t tsize = (size_t)((char *)nh + nh->size - (char *)top);
      vg_noaccess(top, tsize);
      set_head(top, tsize | PREV_INUSE | a->nm);
      a->top = top;
      a->fresh_from = (char *)top + CHUNK_HDR;
      close_segment(a, old_top, old_size);
      a->ctr.heap_grows++;
    }
  } else {
    int contiguous = !a->noncontiguous && old_size > 0;
    size_t want = nb + bm_mp.top_pad + MIN_CHUNK;
    if (want < nb) return 0;
    if (contiguous) want -= old_size < want ? old_size : 0;
    want = bm_align_up(want, bm_pagesize);
    char *brk = NULL;
    int from_mmap = 0;
    if (want <= (size_t)PTRDIFF_MAX) brk = (char *)bm_sys_morecore((intptr_t)want);
    if (!brk) {
      /* The break cannot move: continue in an mmapped region instead. */
      size_t msize = bm_align_up(nb + bm_mp.top_pad + MIN_CHUNK, bm_pagesize);
      if (msize < 1024 * 1024) msize = 1024 * 1024;
      if (msize >= nb) brk = (char *)bm_sys_mmap(msize);
      if (!brk) return 0;
      want = msize;
      from_mmap = 1;
    }
    vg_noaccess(brk, want);
    a->ctr.heap_grows++;
    a->system_mem += want;
    if (!from_mmap && contiguous && brk == old_end) {
      set_head(old_top, (old_size + want) | PREV_INUSE);
      if (a->fresh_from > old_end) a->fresh_from = old_end;
    } else {
      char *start = (char *)bm_align_up((uintptr_t)brk, CHUNK_ALIGN);
      char *end = (char *)bm_align_down((uintptr_t)(brk + want), CHUNK_ALIGN);
      chunk_t *top = (chunk_t *)start;
      set_head(top, (size_t)(end - start) | PREV_INUSE);
      if (bm_main_nsegs > 0 && bm_main_nsegs <= MAX_MAIN_SEGMENTS) bm_main_segs[bm_main_nsegs - 1].end = old_end;
      if (bm_main_nsegs < MAX_MAIN_SEGMENTS) bm_main_segs[bm_main_nsegs].start = start;
      bm_main_nsegs++;
      a->top = top;
      a->fresh_from = start + CHUNK_HDR;
      close_segment(a, old_top, old_size);
      a->noncontiguous = from_mmap;
    }
    if (a->system_mem > a->max_system_mem) a->max_system_mem = a->system_mem;
  }
  if (a->system_mem > a->max_system_mem) a->max_system_mem = a->system_mem;
  bm_tc_may_return = 1;
  return 1;
}

static void *sysmalloc(arena_t *a, size_t nb) {
  a->ctr.sysmalloc_calls++;
  int tried_mmap = 0;
  if (nb >= bm_mp.mmap_threshold) {
    void *m = mmap_chunk(nb);
    if (m) return m;
    tried_mmap = 1;
  }
  if (!bm_extend_top(a, nb)) return tried_mmap ? NULL : mmap_chunk(nb);
  if (chunksize(a->top) >= nb + MIN_CHUNK) {
    a->ctr.top_hits++;
    return chunk2mem(bm_split_top(a, nb));
  }
  return NULL;
}

/* ---- the bin search ------------------------------------------------------- */
void *bm_int_malloc(arena_t *a, size_t nb) {
  tc_count_arena_malloc(nb);
  if (nb <= bm_mp.max_fast) {
    unsigned fidx = fastbin_index(nb);
    chunk_t *victim = take_fastbin(a, fidx, nb);
    if (victim) {
      a->ctr.fastbin_hits++;
      return chunk2mem(victim);
    }
  }

  unsigned idx;
  if (in_smallbin_range(nb)) {
    idx = smallbin_index(nb);
    bin_t *bin = &a->bins[idx];
    chunk_t *head = bin_head(bin);
    chunk_t *victim = bin->bk;
    if (victim != head) {
      chunk_t *bck = victim->bk;
      if (unlikely(bck->fd != victim)) bm_fatal("malloc(): smallbin double linked list corrupted");
      set_inuse_at(victim, nb);
      bin->bk = bck;
      bck->fd = head;
      stash_smallbin(bin, nb);
      a->ctr.smallbin_hits++;
      return chunk2mem(victim);
    }
  } else {
    idx = largebin_index(nb);
    bm_malloc_consolidate(a);
  }

  tcache_t *tc = tc_index(nb) < bm_tc_nbins ? bm_tcache : NULL;
  size_t tidx = tc_index(nb);
  int cached = 0;
  chunk_t *uhead = bin_head(&a->bins[UNSORTED_BIN]);

  for (;;) {
    unsigned steps = 0;
    chunk_t *victim;
    while ((victim = a->bins[UNSORTED_BIN].bk) != uhead) {
      chunk_t *bck = victim->bk;
      size_t size = chunksize(victim);
      chunk_t *next = chunk_at(victim, size);
      if (unlikely(size < MIN_CHUNK || size > a->system_mem)) bm_fatal("malloc(): invalid size (unsorted)");
      /* The smallest valid neighbour is a fencepost (FENCE_SIZE): in the main
       * arena its size word, flags cleared behind a free chunk, is exactly 16. */
      if (unlikely(chunksize(next) < FENCE_SIZE || chunksize(next) > a->system_mem))
        bm_fatal("malloc(): invalid next size (unsorted)");
      if (unlikely(next->prev_size != size)) bm_fatal("malloc(): mismatching next->prev_size (unsorted)");
      if (unlikely(bck->fd != victim || victim->fd != uhead))
        bm_fatal("malloc(): unsorted double linked list corrupted");
      if (unlikely(prev_inuse(next))) bm_fatal("malloc(): invalid next->prev_inuse (unsorted)");

      /* A small request splits the lone last remainder: keeps locality. */
      if (in_smallbin_range(nb) && bck == uhead && victim == a->last_remainder && size > nb + MIN_CHUNK) {
        size_t rsize = size - nb;
        chunk_t *rem = chunk_at(victim, nb);
        a->bins[UNSORTED_BIN].fd = a->bins[UNSORTED_BIN].bk = rem;
        rem->fd = rem->bk = uhead;
        if (!in_smallbin_range(rsize)) rem->fd_nextsize = rem->bk_nextsize = NULL;
        a->last_remainder = rem;
        set_head(victim, nb | PREV_INUSE | a->nm);
        set_head(rem, rsize | PREV_INUSE | a->nm);
        set_foot(rem, rsize);
        a->ctr.last_remainder_hits++;
        return chunk2mem(victim);
      }

      a->bins[UNSORTED_BIN].bk = bck;
      bck->fd = uhead;

      if (size == nb) {
        set_inuse_at(victim, size);
        if (tc && tc->counts[tidx] < tc->limits[tidx]) {
          tcache_push(tc, tidx, victim);
          cached = 1;
          continue;
        }
        a->ctr.unsorted_hits++;
        return chunk2mem(victim);
      }
      bm_bin_insert(a, victim, size);
      if (++steps >= MAX_UNSORTED_STEPS) break;
    }

    if (cached) {
      tc_entry_t *e = tc->entries[tidx];
      a->ctr.unsorted_hits++;
      return tcache_pop(tc, tidx, e);
    }

    if (!in_smallbin_range(nb)) {
      bin_t *bin = &a->bins[idx];
      chunk_t *head = bin_head(bin);
      chunk_t *largest = bin->fd;
      if (largest != head && chunksize(largest) >= nb) {
        /* Best fit: the smallest size group that is large enough. */
        chunk_t *lead = largest->bk_nextsize;
        size_t smallest = chunksize(lead), largest_size = chunksize(largest);
        if (smallest >= nb || nb - smallest < largest_size - nb) {
          while (chunksize(lead) < nb) lead = lead->bk_nextsize;
        } else {
          /* Nearer the large end: walk down while the next smaller group
           * still fits (the smallest does not, so the walk stops). */
          lead = largest;
          while (chunksize(lead->fd_nextsize) >= nb) lead = lead->fd_nextsize;
        }
        victim = lead;
        if (lead->fd != head && lead->fd->fd_nextsize == NULL) victim = lead->fd; /* keeps the skip list */
        size_t size = chunksize(victim);
        bm_unlink_chunk(a, victim);
        split_chunk(a, victim, size, nb, 0);
        a->ctr.largebin_hits++;
        return chunk2mem(victim);
      }
    }

    /* Binmap: the next non-empty bin above the request's; any chunk there fits. */
    unsigned i = idx + 1;
    while (i < NBINS) {
      unsigned w = i >> 6;
      uint64_t bits = a->binmap[w] & (~0ULL << (i & 63));
      while (!bits && ++w < NBINS / 64) bits = a->binmap[w];
      if (!bits) break;
      i = w * 64 + (unsigned)__builtin_ctzll(bits);
      bin_t *bin = &a->bins[i];
      chunk_t *v = bin->bk;
      if (v == bin_head(bin)) {
        binmap_unmark(a->binmap, i); /* lazily cleared */
        i++;
        continue;
      }
      size_t size = chunksize(v);
      bm_unlink_chunk(a, v);
      split_chunk(a, v, size, nb, in_smallbin_range(nb));
      a->ctr.binmap_hits++;
      return chunk2mem(v);
    }

    victim = a->top;
    size_t size = chunksize(victim);
    if (unlikely(size > a->system_mem)) bm_fatal("malloc(): corrupted top size");
    if (size >= nb + MIN_CHUNK) {
      a->ctr.top_hits++;
      chunk_t *v = bm_split_top(a, nb);
      if (tc && tc->limits[tidx] > bm_tc_count) bm_tcache_refill_from_top(a, tc, tidx);
      return chunk2mem(v);
    }
    if (__atomic_load_n(&a->have_fastchunks, __ATOMIC_RELAXED)) {
      bm_malloc_consolidate(a);
      continue;
    }
    /* Before the heap grows, the thread's cache gives back what it holds
     * beyond its starting depths (once per growth: a thread whose working
     * set does need the growth does not flush its deep bins at every step;
     * the flag also ends this loop's second pass). */
    tcache_t *own = bm_tcache;
    if (bm_tc_may_return && own && (own->grown[0] | own->grown[1]) && nb < bm_mp.mmap_threshold) {
      bm_tc_may_return = 0;
      if (bm_tcache_return_excess_to(own, a)) continue;
    }
    return sysmalloc(a, nb);
  }
}

/* ---- public paths --------------------------------------------------------- */
static inline __attribute__((always_inline)) void *malloc_from_arena(size_t nb) {
  arena_t *a = bm_arena_get();
  int need = bm_need_lock();
  if (need) bm_lock(&a->lock);
  void *m = bm_int_malloc(a, nb);
  if (need) bm_unlock(&a->lock);
  if (unlikely(!m)) m = bm_malloc_retry(a, nb);
  return m;
}

void *bm_malloc_retry(arena_t *failed, size_t nb) {
  void *m = NULL;
  arena_t *b = bm_arena_retry(failed, nb);
  if (b) {
    int need = bm_need_lock();
    if (need) bm_lock(&b->lock);
    m = bm_int_malloc(b, nb);
    if (need) bm_unlock(&b->lock);
  }
  if (!m) errno = ENOMEM;
  return m;
}

void *bm_malloc_from_arena(size_t nb) {
  return malloc_from_arena(nb);
}

static BM_NOINLINE void *malloc_slow(size_t n) {
  bm_ensure_init();
  if (unlikely(bm_vg)) return bm_vg_malloc(n);
  if (unlikely(n > MAX_REQUEST)) {
    errno = ENOMEM;
    return NULL;
  }
  size_t nb = tc_round_request(request2size(n));
  size_t tidx = tc_bin_of(nb);
  tcache_t *tc = bm_tcache;
  if (unlikely(!tc && bm_tcache_state == 0)) tc = bm_tcache_init(); /* also attaches the arena */
  if (tidx < TCACHE_BINS && tc) {
    if (tc->entries[tidx]) {
      tc->ctr.hits++;
      tc->above_mallocs += tidx >= TCACHE_EXACT_BINS; /* above the exact bins (tc_above_share_high) */
      return tcache_pop(tc, tidx, tc->entries[tidx]);
    }
    tcache_note_miss(tc, tidx);
  }
  void *m = malloc_from_arena(nb);
  if (m && unlikely(bm_mp.perturb_byte)) memset(m, (bm_mp.perturb_byte ^ 0xff) & 0xff, n);
  return m;
}

void *bm_malloc(size_t n) {
  tcache_t *tc = bm_tcache;
  if (likely(n <= bm_tc_max_req) && likely(tc != NULL)) {
    size_t idx = tc_index(request2size(n));
    tc_entry_t *e = tc->entries[idx];
    if (likely(e != NULL)) {
      tc->ctr.hits++;
      return tcache_pop(tc, idx, e);
    }
  }
  return malloc_slow(n);
}

void *bm_calloc(size_t n, size_t m) {
  size_t bytes;
  if (unlikely(__builtin_mul_overflow(n, m, &bytes))) {
    errno = ENOMEM;
    return NULL;
  }
  bm_ensure_init();
  if (unlikely(bm_vg)) return bm_vg_calloc(n, m);
  if (unlikely(bytes > MAX_REQUEST)) {
    errno = ENOMEM;
    return NULL;
  }
  size_t nb = tc_round_request(request2size(bytes));
  /* A thread that only ever callocs gets its cache while memory is there.
   * calloc never takes from the bins of the C library's cache, as in the C
   * library (2.36): programs and the C library's own tests rely on
   * calloc/free cycles filling the cache (e.g. to send the next frees to the
   * fastbins).  The bins above them are binmalloc's own and serve calloc too:
   * a calloc that finds one empty counts towards making it hot. */
  tcache_t *tc = bm_tcache;
  if (unlikely(!tc && bm_tcache_state == 0)) tc = bm_tcache_init();
  size_t tidx = tc_bin_of(nb);
  if (tc && tidx >= bm_tc_fixed_bins && tidx < TCACHE_BINS) {
    tc_entry_t *e = tc->entries[tidx];
    if (e) {
      tc->ctr.hits++;
      tc->above_mallocs += tidx >= TCACHE_EXACT_BINS;
      void *mem = tcache_pop(tc, tidx, e);
      memset(mem, 0, tc_chunk_size(tidx) - SIZE_SZ);
      return mem;
    }
    tcache_note_miss(tc, tidx);
  }
  /* Memory the system added to top and nobody used since is still zero:
   * when the chunk was carved from top, only its part below the arena's
   * fresh boundary needs clearing (the break only moves in whole pages, and
   * trimmed pages come back zero). */
  arena_t *a = bm_arena_get();
  int need = bm_need_lock();
  if (need) bm_lock(&a->lock);
  a->split_victim = NULL;
  void *mem = bm_int_malloc(a, nb);
  chunk_t *split = a->split_victim;
  char *split_fresh = a->split_fresh;
  if (need) bm_unlock(&a->lock);
  if (unlikely(!mem)) {
    split = NULL;
    mem = bm_malloc_retry(a, nb);
    if (!mem) return NULL;
  }
  chunk_t *p = mem2chunk(mem);
  if (is_mmapped(p)) return mem; /* fresh pages are zero */
  size_t clear = chunksize(p) - SIZE_SZ;
  if (p == split && !bm_mp.perturb_byte && split_fresh < (char *)mem + clear)
    clear = split_fresh > (char *)mem ? (size_t)(split_fresh - (char *)mem) : 0;
  memset(mem, 0, clear);
  return mem;
}

size_t bm_usable_size(void *mem) {
  if (!mem) return 0;
  if (unlikely(bm_vg)) return bm_vg_usable_size(mem);
  chunk_t *p = mem2chunk(mem);
  if (is_mmapped(p)) return chunksize(p) - CHUNK_HDR;
  if (inuse_at(p, chunksize(p))) return chunksize(p) - SIZE_SZ;
  return 0;
}
