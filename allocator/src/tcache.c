/* Per-thread cache: set-up, double-free detection, flush and thread exit. */
#include "tcache.h"

#include <pthread.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "vg.h"

BM_TLS tcache_t *bm_tcache;
BM_TLS int bm_tcache_state;
BM_TLS int bm_tc_may_return = 1;
uintptr_t bm_tcache_key;
size_t bm_tc_max_req;
size_t bm_tc_nbins;
size_t bm_tc_class_max;
size_t bm_tc_fixed_bins;
size_t bm_tc_count;
size_t bm_tc_depth;
size_t bm_tc_bytes;
size_t bm_tc_large_bytes;
size_t bm_tc_large_shared_bytes;
size_t bm_tc_above_share;
size_t bm_tc_shared_bytes;
unsigned bm_tc_live;

tc_counters_t bm_exited_tcache;

void bm_tcache_unaligned(void) {
  bm_fatal("malloc(): unaligned tcache chunk detected");
}

void bm_tcache_setup_key(void) {
  uintptr_t k = 0;
  if (syscall(SYS_getrandom, &k, sizeof k, GRND_NONBLOCK) != (long)sizeof k) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    k = (uintptr_t)ts.tv_nsec * 0x9e3779b97f4a7c15ULL ^ (uintptr_t)&k ^ ((uintptr_t)ts.tv_sec << 32);
  }
  if (k == 0) k = 0x5bd1e9955bd1e995ULL;
  bm_tcache_key = k;
}

/* ---- thread exit ---------------------------------------------------------
 * A pthread key whose destructor flushes the cache.  The key is created lazily
 * the first time a thread sets up its cache; glibc's pthread_key_create and
 * pthread_setspecific (for the first 32 keys) do not allocate. */
static pthread_key_t tc_key;
static int tc_key_state; /* 0 none, 1 creating, 2 ready, 3 failed */

static void tcache_thread_exit(void *unused) {
  (void)unused;
  tcache_t *tc = bm_tcache;
  bm_tcache_state = 2; /* later frees/mallocs in this thread bypass the cache */
  vg_enter();
  if (!tc) {
    bm_arena_thread_exit();
    vg_leave();
    return;
  }
  bm_tcache = NULL;
  __atomic_sub_fetch(&bm_tc_live, 1, __ATOMIC_RELAXED);
  bm_lock(&bm_list_lock);
  tc_counters_add(&bm_exited_tcache, &tc->ctr);
  bm_unlock(&bm_list_lock);
  bm_trim_hold(); /* one trim after the cache and the cache's own chunk are back */
  bm_tcache_flush_all(tc);
  /* Set up after the arena ran dry, the cache itself may be an mmapped chunk. */
  bm_free_mmapped_or_arena(mem2chunk(tc));
  bm_trim_release();
  bm_arena_thread_exit();
  vg_leave();
}

static void ensure_key(void) {
  int s = __atomic_load_n(&tc_key_state, __ATOMIC_ACQUIRE);
  if (likely(s >= 2)) return;
  int expected = 0;
  if (__atomic_compare_exchange_n(&tc_key_state, &expected, 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
    int ok = pthread_key_create(&tc_key, tcache_thread_exit) == 0;
    __atomic_store_n(&tc_key_state, ok ? 2 : 3, __ATOMIC_RELEASE);
    return;
  }
  while (__atomic_load_n(&tc_key_state, __ATOMIC_ACQUIRE) == 1) sched_yield();
}

tcache_t *bm_tcache_init(void) {
  if (bm_tcache_state != 0) return bm_tcache;
  if (bm_vg || bm_tc_nbins == 0) {
    bm_tcache_state = 2;
    return NULL;
  }
  bm_tcache_state = 2; /* no recursion while setting up */
  void *mem = bm_malloc_from_arena(request2size(sizeof(tcache_t)));
  if (!mem) {
    bm_tcache_state = 0; /* try again later */
    return NULL;
  }
  memset(mem, 0, sizeof(tcache_t));
  tcache_t *tc = (tcache_t *)mem;
  bm_tcache_reset_depths(tc);
  bm_tcache = tc;
  bm_tcache_state = 1;
  __atomic_add_fetch(&bm_tc_live, 1, __ATOMIC_RELAXED);
  bm_thread_register_exit();
  return tc;
}

void bm_thread_register_exit(void) {
  ensure_key();
  /* Any non-NULL value makes the destructor run at thread exit. */
  if (__atomic_load_n(&tc_key_state, __ATOMIC_ACQUIRE) == 2) pthread_setspecific(tc_key, (void *)&tc_key);
}

void bm_tcache_double_free_check(tcache_t *tc, size_t idx, tc_entry_t *e) {
  size_t n = 0;
  for (tc_entry_t *t = tc->entries[idx]; t; t = (tc_entry_t *)reveal_ptr(&t->next, t->next), n++) {
    if (n >= tc->limits[idx]) bm_fatal("free(): too many chunks detected in tcache");
    if (misaligned_ptr(t)) bm_fatal("free(): unaligned chunk detected in tcache 2");
    if (t == e) bm_fatal("free(): double free detected in tcache 2");
  }
  if (bm_remote_holds(tc, e)) bm_fatal("free(): double free detected in tcache 2");
  /* The key matched by chance (or the chunk sits in another thread's cache). */
}

void bm_tcache_flush_all(tcache_t *tc) {
  bm_remote_flush(tc);
  bm_trim_hold();
  for (size_t i = 0; i < TCACHE_BINS; i++) {
    tc_entry_t *e = tc->entries[i];
    while (e) {
      tc_entry_t *next = (tc_entry_t *)reveal_ptr(&e->next, e->next);
      if (misaligned_ptr(next)) bm_fatal("tcache_thread_shutdown(): unaligned tcache chunk detected");
      e->key = 0;
      chunk_t *c = mem2chunk(e);
      bm_free_to_arena(c, chunksize(c));
      e = next;
    }
    tc->entries[i] = NULL;
    tc->counts[i] = 0;
  }
  bm_trim_release();
}

void bm_tcache_fork_child(void) {
  __atomic_store_n(&bm_tc_live, bm_tcache ? 1u : 0u, __ATOMIC_RELAXED);
}
