/* Arenas: initialisation, the arena list, thread attachment, non-main heaps
 * and fork safety. */
#include "arena.h"

#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include "tcache.h"
#include "tunables.h"
#include "vg.h"

arena_t bm_main_arena;
segment_t bm_main_segs[MAX_MAIN_SEGMENTS];
int bm_main_nsegs;
bm_lock_t bm_list_lock = BM_LOCK_INIT;
size_t bm_narenas = 1;        /* created or being created (counts against the limit) */
size_t bm_narenas_linked = 1; /* on the list */
int bm_inited;
int bm_vg;
BM_TLS arena_t *bm_thread_arena;

static bm_lock_t init_lock = BM_LOCK_INIT;
static arena_t *free_list;   /* arenas no thread is attached to */
static arena_t *next_to_use; /* round-robin cursor once the limit is reached */
static size_t ncores = 1;
static int atfork_state;

void bm_arena_init(arena_t *a) {
  for (unsigned i = 1; i < NBINS; i++) {
    chunk_t *h = bin_head(&a->bins[i]);
    a->bins[i].fd = a->bins[i].bk = h;
  }
  a->top = (chunk_t *)a->empty_top;
  a->empty_top[1] = 0;
  a->fresh_from = (char *)UINTPTR_MAX;
  a->split_victim = NULL;
  a->last_remainder = NULL;
}

static size_t count_cores(void) {
  unsigned long mask[16];
  memset(mask, 0, sizeof mask);
  if (sched_getaffinity(0, sizeof mask, (cpu_set_t *)mask) != 0) return 1;
  size_t n = 0;
  for (size_t i = 0; i < 16; i++) n += (size_t)__builtin_popcountl(mask[i]);
  return n ? n : 1;
}

/* ---- fork safety -------------------------------------------------------------
 * While the process has never had a second thread, fork takes no lock at all,
 * as the C library does: no other thread can hold one, and a fork from a
 * signal handler that interrupted malloc, or another fork's handlers, must not
 * wait for a lock its own thread holds.
 *
 * With threads, the prepare handler takes stdio's list lock before the
 * allocator's locks.  The C library takes that lock itself after every prepare
 * handler, and a thread may hold it while it waits for a FILE lock
 * (fflush(NULL)) whose owner waits for an arena lock (getline allocating):
 * taking it first gives the one order list lock -> FILE lock -> arena lock, so
 * no cycle.  The lock is recursive, so the library's own acquisition that
 * follows succeeds; the library resets it in the child. */
extern void _IO_list_lock(void) __attribute__((weak));
extern void _IO_list_unlock(void) __attribute__((weak));
extern void _IO_list_resetlock(void) __attribute__((weak));

/* Marks every heap of arena a (not the main one) orphaned or not; the
 * caller holds bm_list_lock (or is a forked child's only thread), and the
 * arena's lock keeps its heap list still. */
static void set_orphaned(arena_t *a, int orphaned) {
  if (a == &bm_main_arena) return;
  bm_lock(&a->lock);
  for (heap_info_t *h = a->heap; h; h = h->prev) __atomic_store_n(&h->orphaned, orphaned, __ATOMIC_RELAXED);
  bm_unlock(&a->lock);
}

/* Whether this thread's prepare handler took the locks.  Per thread: the C
 * library runs prepare handlers of concurrent forks at the same time, and a
 * shared flag let one fork's prepare clear another's, whose parent handler then
 * left every lock held (a hang in the C library's fork-deadlock test). */
static BM_TLS int fork_locked;

static void fork_prepare(void) {
  fork_locked = 0;
  if (!bm_inited || !bm_need_lock()) return;
  if (_IO_list_lock) _IO_list_lock();
  bm_lock(&bm_list_lock);
  for (arena_t *a = &bm_main_arena; a; a = a->next) bm_lock(&a->lock);
  fork_locked = 1;
}

static void fork_parent(void) {
  if (!fork_locked) return;
  fork_locked = 0;
  for (arena_t *a = &bm_main_arena; a; a = a->next) bm_unlock(&a->lock);
  bm_unlock(&bm_list_lock);
  if (_IO_list_unlock) _IO_list_unlock();
}

static void fork_child(void) {
  if (!bm_inited) return;
  bm_tcache_fork_child();
  bm_lock_reinit(&bm_list_lock);
  bm_lock_reinit(&init_lock);
  if (!fork_locked) {
    for (arena_t *a = &bm_main_arena; a; a = a->next) bm_lock_reinit(&a->lock);
    return;
  }
  fork_locked = 0;
  if (_IO_list_resetlock) _IO_list_resetlock();
  /* Only the forking thread survives: every other arena becomes free. */
  free_list = NULL;
  for (arena_t *a = &bm_main_arena; a; a = a->next) {
    bm_lock_reinit(&a->lock);
    if (a == bm_thread_arena) {
      a->attached_threads = 1;
    } else {
      a->attached_threads = 0;
      a->next_free = free_list;
      free_list = a;
      set_orphaned(a, 1); /* its lock was reinitialised above */
    }
  }
}

static void register_atfork(void) {
  int expected = 0;
  if (!__atomic_compare_exchange_n(&atfork_state, &expected, 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) return;
  pthread_atfork(fork_prepare, fork_parent, fork_child);
}

/* ---- initialisation --------------------------------------------------------
 * Runs on the first call, possibly before main() and before libc is fully up.
 * Nothing here allocates. */
void bm_init(void) {
  bm_lock(&init_lock);
  if (bm_inited) {
    bm_unlock(&init_lock);
    return;
  }
  bm_sys_init();
  bm_arena_init(&bm_main_arena);
  bm_main_arena.nm = 0;
  bm_main_arena.next = NULL;
  bm_main_arena.next_free = NULL;
  free_list = &bm_main_arena; /* the first thread to allocate takes it */
  bm_tunables_init();
  bm_vg = bm_mp.valgrind_mode < 0 ? (RUNNING_ON_VALGRIND ? 1 : 0) : bm_mp.valgrind_mode;
  if (!BM_HAVE_VALGRIND) bm_vg = 0;
  bm_tcache_setup_key();
  ncores = count_cores();
  bm_tc_count = bm_mp.tcache_count;
  bm_tc_depth = bm_mp.tcache_depth > bm_tc_count ? bm_mp.tcache_depth : bm_tc_count;
  bm_tc_bytes = bm_mp.tcache_bytes;
  bm_tc_shared_bytes = bm_tc_bytes ? bm_mp.tcache_shared_bytes : 0;
  bm_tc_large_bytes = bm_mp.tcache_large_bytes;
  bm_tc_large_shared_bytes = bm_tc_large_bytes ? bm_mp.tcache_large_shared_bytes : 0;
  bm_tc_above_share = bm_mp.tcache_above_share;
  bm_tc_fixed_bins = bm_vg ? 0 : bm_mp.tcache_bins;
  bm_tc_nbins = bm_vg ? 0 : bm_mp.tcache_large_bins;
  bm_tc_max_req = tc_max_request(bm_tc_nbins);
  bm_tc_class_max = bm_vg ? 0 : bm_mp.tcache_class_max;
  __atomic_store_n(&bm_inited, 1, __ATOMIC_RELEASE);
  bm_unlock(&init_lock);
  /* May allocate (through us): done after initialisation is complete. */
  register_atfork();
}

/* ---- non-main heaps ------------------------------------------------------- */
chunk_t *bm_heap_first_chunk(heap_info_t *h) {
  char *p = (char *)(h + 1);
  if (h->ar && (char *)h->ar == p) p += sizeof(arena_t); /* the arena's first heap */
  return (chunk_t *)bm_align_up((uintptr_t)p, CHUNK_ALIGN);
}

heap_info_t *bm_new_heap(size_t need) {
  size_t size = bm_align_up(need, bm_pagesize);
  if (size < 32 * 1024) size = 32 * 1024;
  if (size > HEAP_MAX_SIZE) return NULL;
  heap_info_t *h = (heap_info_t *)bm_sys_reserve_aligned(HEAP_MAX_SIZE);
  if (!h) return NULL;
  if (bm_sys_commit(h, size) != 0) {
    bm_sys_munmap(h, HEAP_MAX_SIZE);
    return NULL;
  }
  h->ar = NULL;
  h->prev = NULL;
  h->size = size;
  h->committed = size;
  h->orphaned = 0;
  return h;
}

int bm_grow_heap(heap_info_t *h, size_t diff) {
  size_t new_size = bm_align_up(h->size + diff, bm_pagesize);
  if (new_size > HEAP_MAX_SIZE || new_size < h->size) return -1;
  if (new_size > h->committed) {
    if (bm_sys_commit((char *)h + h->committed, new_size - h->committed) != 0) return -2;
    vg_noaccess((char *)h + h->committed, new_size - h->committed);
    h->committed = new_size;
  }
  h->size = new_size;
  return 0;
}

/* The pages go back to the kernel but the range stays read-write, so growing
 * again costs page faults only, not another mprotect. */
void bm_shrink_heap(heap_info_t *h, size_t new_size) {
  new_size = bm_align_up(new_size, bm_pagesize);
  if (new_size >= h->size) return;
  bm_sys_dontneed((char *)h + new_size, h->size - new_size);
  h->size = new_size;
}

static arena_t *new_arena(void) {
  size_t hdr = sizeof(heap_info_t) + sizeof(arena_t) + CHUNK_ALIGN;
  heap_info_t *h = bm_new_heap(hdr + MIN_CHUNK + bm_mp.top_pad);
  if (!h) return NULL;
  arena_t *a = (arena_t *)(h + 1);
  memset(a, 0, sizeof *a);
  bm_arena_init(a);
  a->nm = NON_MAIN_ARENA;
  h->ar = a;
  a->heap = h;
  chunk_t *top = bm_heap_first_chunk(h);
  size_t top_size = (size_t)((char *)h + h->size - (char *)top);
  vg_noaccess(top, top_size);
  set_head(top, top_size | PREV_INUSE | NON_MAIN_ARENA);
  a->top = top;
  a->fresh_from = (char *)top + CHUNK_HDR;
  a->system_mem = a->max_system_mem = h->size;
  return a;
}

/* ---- thread attachment ---------------------------------------------------- */
static size_t arena_limit(void) {
  if (bm_mp.arena_max) return bm_mp.arena_max;
  if (bm_narenas <= bm_mp.arena_test) return bm_mp.arena_test + 1;
  return 8 * ncores;
}

static void attach(arena_t *a) {
  if (a->attached_threads++ == 0) set_orphaned(a, 0);
  bm_thread_arena = a;
}

static arena_t *pop_free_list(void) {
  arena_t *a = free_list;
  if (a) {
    free_list = a->next_free;
    a->next_free = NULL;
  }
  return a;
}

static void remove_from_free_list(arena_t *a) {
  for (arena_t **pp = &free_list; *pp; pp = &(*pp)->next_free) {
    if (*pp == a) {
      *pp = a->next_free;
      a->next_free = NULL;
      return;
    }
  }
}

static arena_t *reuse_arena(void) {
  arena_t *start = next_to_use ? next_to_use : &bm_main_arena;
  arena_t *a = start;
  do {
    if (bm_trylock(&a->lock)) {
      bm_unlock(&a->lock);
      break;
    }
    a = a->next ? a->next : &bm_main_arena;
  } while (a != start);
  next_to_use = a->next ? a->next : &bm_main_arena;
  return a;
}

arena_t *bm_arena_attach(void) {
  arena_t *a = bm_thread_arena;
  if (a) return a;
  bm_ensure_init();
  bm_lock(&bm_list_lock);
  a = pop_free_list();
  if (!a && bm_narenas < arena_limit()) {
    bm_narenas++; /* reserve the slot while creating without the list lock */
    bm_unlock(&bm_list_lock);
    a = new_arena();
    bm_lock(&bm_list_lock);
    if (a) {
      a->next = bm_main_arena.next;
      bm_main_arena.next = a;
      bm_narenas_linked++;
    } else {
      bm_narenas--;
    }
  }
  if (!a) {
    a = reuse_arena();
    remove_from_free_list(a);
  }
  attach(a);
  bm_unlock(&bm_list_lock);
  bm_thread_register_exit();
  return a;
}

arena_t *bm_arena_retry(arena_t *failed, size_t nb) {
  if (failed != &bm_main_arena) return &bm_main_arena;
  /* The main arena failed (brk and mmap fallback both).  Another arena could
   * serve a chunk larger than its heaps only by mapping it on its own, which
   * the main arena has just tried: retrying would repeat the same failing
   * system calls (a program probing with impossible sizes pays for each). */
  if (nb > HEAP_MAX_SIZE - sizeof(heap_info_t) - sizeof(arena_t) - CHUNK_ALIGN - MIN_CHUNK) return NULL;
  bm_lock(&bm_list_lock);
  arena_t *a = bm_main_arena.next;
  bm_unlock(&bm_list_lock);
  if (!a) {
    bm_lock(&bm_list_lock);
    bm_narenas++;
    bm_unlock(&bm_list_lock);
    a = new_arena();
    bm_lock(&bm_list_lock);
    if (a) {
      a->next = bm_main_arena.next;
      bm_main_arena.next = a;
      bm_narenas_linked++;
      a->next_free = free_list;
      free_list = a;
      set_orphaned(a, 1);
    } else {
      bm_narenas--;
    }
    bm_unlock(&bm_list_lock);
  }
  return a;
}

void bm_arena_thread_exit(void) {
  arena_t *a = bm_thread_arena;
  if (!a) return;
  bm_thread_arena = NULL;
  bm_lock(&bm_list_lock);
  if (a->attached_threads > 0 && --a->attached_threads == 0) {
    a->next_free = free_list;
    free_list = a;
    set_orphaned(a, 1);
  }
  bm_unlock(&bm_list_lock);
}
