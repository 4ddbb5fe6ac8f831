/* Statistics: mallinfo2, malloc_stats, malloc_info and the per-path counters. */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>

#include "arena.h"
#include "binmalloc.h"
#include "core.h"
#include "fmt.h"
#include "tcache.h"
#include "tunables.h"
#include "vg.h"

typedef struct arena_summary {
  size_t system, max_system, top;
  size_t nfast, fast_bytes;
  size_t nfree, free_bytes; /* bins, excluding top */
  int is_main;
} arena_summary_t;

static void summarize(arena_t *a, arena_summary_t *s) {
  memset(s, 0, sizeof *s);
  s->is_main = a == &bm_main_arena;
  s->system = a->system_mem;
  s->max_system = a->max_system_mem;
  s->top = chunksize(a->top);
  for (unsigned i = 0; i < 2 * NFASTBINS; i++) {
    size_t n = 0;
    chunk_t *list = i < NFASTBINS ? __atomic_load_n(&a->fastbins[i], __ATOMIC_ACQUIRE) : a->fast_backlog[i - NFASTBINS];
    for (chunk_t *c = list; c && n < (1u << 24); c = (chunk_t *)reveal_ptr(&c->fd, c->fd), n++) {
      if (misaligned_ptr(c)) break;
      s->nfast++;
      s->fast_bytes += chunksize(c);
    }
  }
  for (unsigned i = UNSORTED_BIN; i < NBINS; i++) {
    chunk_t *head = bin_head(&a->bins[i]);
    for (chunk_t *c = head->fd; c != head; c = c->fd) {
      s->nfree++;
      s->free_bytes += chunksize(c);
    }
  }
}

/* Visits every arena with its lock held, copying summaries out. */
static size_t collect(arena_summary_t *out, size_t max) {
  size_t n = 0;
  for (arena_t *a = &bm_main_arena; a;) {
    arena_summary_t s;
    bm_lock(&a->lock);
    summarize(a, &s);
    bm_unlock(&a->lock);
    if (n < max)
      out[n] = s;
    else {
      /* fold the rest into the last slot */
      arena_summary_t *l = &out[max - 1];
      l->system += s.system, l->max_system += s.max_system, l->top += s.top, l->nfast += s.nfast;
      l->fast_bytes += s.fast_bytes, l->nfree += s.nfree, l->free_bytes += s.free_bytes;
    }
    n++;
    bm_lock(&bm_list_lock);
    a = a->next;
    bm_unlock(&bm_list_lock);
  }
  return n < max ? n : max;
}

#define MAX_REPORTED 64

void bm_mallinfo2(struct binmalloc_mallinfo2 *mi) {
  bm_ensure_init();
  vg_enter();
  arena_summary_t s[MAX_REPORTED];
  size_t n = collect(s, MAX_REPORTED);
  memset(mi, 0, sizeof *mi);
  for (size_t i = 0; i < n; i++) {
    size_t avail = s[i].top + s[i].fast_bytes + s[i].free_bytes;
    mi->arena += s[i].system;
    mi->ordblks += s[i].nfree + 1;
    mi->smblks += s[i].nfast;
    mi->fsmblks += s[i].fast_bytes;
    mi->fordblks += avail;
    mi->uordblks += s[i].system - avail;
    if (s[i].is_main) mi->keepcost = s[i].top;
  }
  mi->hblks = __atomic_load_n(&bm_mmapped_live, __ATOMIC_RELAXED);
  mi->hblkhd = __atomic_load_n(&bm_mmapped_bytes_live, __ATOMIC_RELAXED);
  vg_leave();
}

void bm_malloc_stats(void) {
  bm_ensure_init();
  vg_enter();
  /* write() is a cancellation point: the report is written whole or not at
   * all, and a pending cancellation acts at the caller's next point. */
  int old_cancel;
  pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old_cancel);
  arena_summary_t s[MAX_REPORTED];
  size_t n = collect(s, MAX_REPORTED);
  bm_buf_t b;
  bm_buf_init(&b, 2);
  size_t sys = 0, used = 0;
  for (size_t i = 0; i < n; i++) {
    size_t avail = s[i].top + s[i].fast_bytes + s[i].free_bytes;
    bm_buf_str(&b, "Arena ");
    bm_buf_u64(&b, i);
    bm_buf_str(&b, ":\nsystem bytes     = ");
    bm_buf_u64w(&b, s[i].system, 10);
    bm_buf_str(&b, "\nin use bytes     = ");
    bm_buf_u64w(&b, s[i].system - avail, 10);
    bm_buf_str(&b, "\n");
    sys += s[i].system;
    used += s[i].system - avail;
  }
  size_t mm = __atomic_load_n(&bm_mmapped_bytes_live, __ATOMIC_RELAXED);
  bm_buf_str(&b, "Total (incl. mmap):\nsystem bytes     = ");
  bm_buf_u64w(&b, sys + mm, 10);
  bm_buf_str(&b, "\nin use bytes     = ");
  bm_buf_u64w(&b, used + mm, 10);
  bm_buf_str(&b, "\nmax mmap regions = ");
  bm_buf_u64w(&b, __atomic_load_n(&bm_mmapped_live, __ATOMIC_RELAXED), 10);
  bm_buf_str(&b, "\nmax mmap bytes   = ");
  bm_buf_u64w(&b, mm, 10);
  bm_buf_str(&b, "\n");
  bm_buf_flush(&b);
  pthread_setcancelstate(old_cancel, NULL);
  vg_leave();
}

int bm_malloc_info(int options, FILE *fp) {
  if (options != 0) {
    errno = EINVAL;
    return -1;
  }
  bm_ensure_init();
  vg_enter();
  arena_summary_t s[MAX_REPORTED];
  size_t n = collect(s, MAX_REPORTED);
  vg_leave();
  /* No lock is held from here: fprintf may allocate. */
  size_t tf = 0, tfs = 0, tr = 0, trs = 0, ts = 0, tm = 0;
  fprintf(fp, "<malloc version=\"1\">\n");
  for (size_t i = 0; i < n; i++) {
    fprintf(fp, "<heap nr=\"%zu\">\n<sizes>\n</sizes>\n", i);
    fprintf(fp, "<total type=\"fast\" count=\"%zu\" size=\"%zu\"/>\n", s[i].nfast, s[i].fast_bytes);
    fprintf(fp, "<total type=\"rest\" count=\"%zu\" size=\"%zu\"/>\n", s[i].nfree, s[i].free_bytes);
    fprintf(fp, "<system type=\"current\" size=\"%zu\"/>\n", s[i].system);
    fprintf(fp, "<system type=\"max\" size=\"%zu\"/>\n", s[i].max_system);
    fprintf(fp, "<aspace type=\"total\" size=\"%zu\"/>\n", s[i].system);
    fprintf(fp, "<aspace type=\"mprotect\" size=\"%zu\"/>\n", s[i].system);
    fprintf(fp, "</heap>\n");
    tf += s[i].nfast, tfs += s[i].fast_bytes, tr += s[i].nfree, trs += s[i].free_bytes;
    ts += s[i].system, tm += s[i].max_system;
  }
  fprintf(fp, "<total type=\"fast\" count=\"%zu\" size=\"%zu\"/>\n", tf, tfs);
  fprintf(fp, "<total type=\"rest\" count=\"%zu\" size=\"%zu\"/>\n", tr, trs);
  fprintf(fp, "<total type=\"mmap\" count=\"%zu\" size=\"%zu\"/>\n",
          (size_t)__atomic_load_n(&bm_mmapped_live, __ATOMIC_RELAXED),
          (size_t)__atomic_load_n(&bm_mmapped_bytes_live, __ATOMIC_RELAXED));
  fprintf(fp, "<system type=\"current\" size=\"%zu\"/>\n", ts);
  fprintf(fp, "<system type=\"max\" size=\"%zu\"/>\n", tm);
  fprintf(fp, "<aspace type=\"total\" size=\"%zu\"/>\n", ts);
  fprintf(fp, "<aspace type=\"mprotect\" size=\"%zu\"/>\n", ts);
  fprintf(fp, "</malloc>\n");
  return 0;
}

/* Takes l for reading the statistics.  When must_wait is 0 (at exit, where
 * another thread may hold a lock for good) it gives up after a while and the
 * counters are read without it: they only grow, and arenas are never freed. */
static int stats_lock(bm_lock_t *l, int must_wait) {
  if (must_wait) {
    bm_lock(l);
    return 1;
  }
  for (int i = 0; i < 1000; i++) {
    if (bm_trylock(l)) return 1;
    sched_yield();
  }
  return 0;
}

static void stats_unlock(bm_lock_t *l, int locked) {
  if (locked) bm_unlock(l);
}

static void collect_stats(struct binmalloc_stats_ex *o, int must_wait) {
  memset(o, 0, sizeof *o);
  size_t narenas = 0;
  for (arena_t *a = &bm_main_arena; a;) {
    int locked = stats_lock(&a->lock, must_wait);
    bm_counters_t *c = &a->ctr;
    o->fastbin_hits += c->fastbin_hits;
    o->smallbin_hits += c->smallbin_hits;
    o->unsorted_hits += c->unsorted_hits;
    o->last_remainder_hits += c->last_remainder_hits;
    o->largebin_hits += c->largebin_hits;
    o->binmap_hits += c->binmap_hits;
    o->top_hits += c->top_hits;
    o->sysmalloc_calls += c->sysmalloc_calls;
    o->heap_grows += c->heap_grows;
    o->fastbin_frees += c->fastbin_frees;
    o->bin_frees += c->bin_frees;
    o->consolidations += c->consolidations;
    o->trims += c->trims;
    o->trimmed_bytes += c->trimmed_bytes;
    o->madvised_bytes += c->madvised_bytes;
    o->realloc_inplace += c->realloc_inplace;
    o->remote_frees += c->remote_frees;
    o->fastbin_takes += c->fastbin_takes;
    if (a == &bm_main_arena) {
      o->main_system_bytes = a->system_mem;
      o->main_top_size = chunksize(a->top);
    }
    stats_unlock(&a->lock, locked);
    narenas++;
    locked = stats_lock(&bm_list_lock, must_wait);
    a = a->next;
    stats_unlock(&bm_list_lock, locked);
  }
  int locked = stats_lock(&bm_list_lock, must_wait);
  tc_counters_t sum = bm_exited_tcache;
  stats_unlock(&bm_list_lock, locked);
  tcache_t *tc = bm_tcache;
  if (tc) {
    tc_counters_add(&sum, &tc->ctr);
    o->tcache_grown_bytes = tc->grown[0] + tc->grown[1];
    o->tcache_large_grown_bytes = tc->grown[1];
    for (size_t i = 0; i < TCACHE_BINS; i++) {
      o->tcache_cached_chunks += tc->counts[i];
      o->tcache_cached_bytes += tc->counts[i] * tc_chunk_size(i);
    }
  }
  o->tcache_hits = sum.hits;
  o->tcache_frees = sum.frees;
  o->tcache_grows = sum.grows;
  o->tcache_flushes = sum.flushes;
  o->tcache_refills = sum.refills;
  o->tcache_growth_returns = sum.growth_returns;
  o->tcache_depth_max = bm_tc_nbins ? bm_tc_depth : 0;
  o->tcache_bytes_budget = bm_tc_fixed_bins ? tc_budget(0) : 0;
  o->tcache_shared_bytes_budget = bm_tc_fixed_bins ? tc_budget_for(0, 1) : 0;
  o->tcache_threads = __atomic_load_n(&bm_tc_live, __ATOMIC_RELAXED);
  o->tcache_large_bytes_budget = bm_tc_nbins > bm_tc_fixed_bins ? tc_budget(1) : 0;
  o->tcache_large_shared_bytes_budget = bm_tc_nbins > bm_tc_fixed_bins ? tc_budget_for(1, 1) : 0;
  o->mmap_chunks = __atomic_load_n(&bm_mmapped_total, __ATOMIC_RELAXED);
  o->munmap_chunks = __atomic_load_n(&bm_munmapped_total, __ATOMIC_RELAXED);
  o->mremap_calls = __atomic_load_n(&bm_mremaps, __ATOMIC_RELAXED);
  o->mmap_threshold = bm_mp.mmap_threshold;
  o->trim_threshold = bm_mp.trim_threshold;
  o->top_pad = bm_mp.top_pad;
  o->mmapped_chunks_live = __atomic_load_n(&bm_mmapped_live, __ATOMIC_RELAXED);
  o->mmapped_bytes_live = __atomic_load_n(&bm_mmapped_bytes_live, __ATOMIC_RELAXED);
  o->narenas = narenas;
  o->tcache_count = bm_tc_nbins ? bm_tc_count : 0;
  o->tcache_max_bytes = tc_max_request(bm_tc_fixed_bins);
  o->tcache_large_max_bytes = bm_tc_class_max ? bm_tc_class_max - SIZE_SZ : bm_tc_max_req;
  o->max_fast = bm_mp.max_fast;
}

void bm_stats_ex(struct binmalloc_stats_ex *o) {
  bm_ensure_init();
  vg_enter();
  collect_stats(o, 1);
  vg_leave();
}

void bm_stats_at_exit(struct binmalloc_stats_ex *o) {
  bm_ensure_init();
  vg_enter();
  collect_stats(o, 0);
  vg_leave();
}

void bm_reset_counters(void) {
  bm_ensure_init();
  for (arena_t *a = &bm_main_arena; a;) {
    bm_lock(&a->lock);
    memset(&a->ctr, 0, sizeof a->ctr);
    bm_unlock(&a->lock);
    bm_lock(&bm_list_lock);
    a = a->next;
    bm_unlock(&bm_list_lock);
  }
  bm_lock(&bm_list_lock);
  memset(&bm_exited_tcache, 0, sizeof bm_exited_tcache);
  bm_unlock(&bm_list_lock);
  if (bm_tcache) {
    memset(&bm_tcache->ctr, 0, sizeof bm_tcache->ctr);
    bm_tcache->arena_mallocs = bm_tcache->above_mallocs = bm_tcache->share_base = 0;
  }
  __atomic_store_n(&bm_mmapped_total, 0, __ATOMIC_RELAXED);
  __atomic_store_n(&bm_munmapped_total, 0, __ATOMIC_RELAXED);
  __atomic_store_n(&bm_mremaps, 0, __ATOMIC_RELAXED);
}
