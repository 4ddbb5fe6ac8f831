/* Multithreaded stress scenarios.  Correctness only: every block carries a
 * pattern derived from its id, checked by whichever thread frees it.
 * Usage: bm_thread_stress <cross_thread|thread_churn|fork_while_allocating> */
#define _GNU_SOURCE 1
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

#include "bm_prog.h"

static size_t ncpus(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? (size_t)n : 1;
}

/* xorshift random generator, one state per thread. */
static uint64_t rnd(uint64_t *s) {
  uint64_t x = *s;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  return *s = x;
}

/* Size mix: mostly tcache/fast sizes, some small/large bins, a few mmapped. */
static size_t pick_size(uint64_t *s) {
  uint64_t r = rnd(s) % 1000;
  if (r < 600) return 1 + rnd(s) % 256;
  if (r < 900) return 257 + rnd(s) % 2000;
  if (r < 998) return 2300 + rnd(s) % 30000;
  return 140000 + rnd(s) % 200000;
}

/* A block: [id (8 bytes)][size (8 bytes)][pattern...]; blocks smaller than
 * 16 bytes carry only the pattern and their metadata travels in the queue. */
struct item {
  unsigned char *p;
  size_t size;
  uint64_t id;
};

static void stamp(struct item *it) {
  bm_fill(it->p, it->size, (size_t)it->id);
}

static atomic_long g_errors;

static void check_and_free(struct item *it, const char *where) {
  size_t bad = bm_verify(it->p, it->size, (size_t)it->id);
  if (bad != (size_t)-1) {
    if (atomic_fetch_add(&g_errors, 1) < 10)
      fprintf(stderr, "FAIL: %s: block id %llu size %zu corrupted at byte %zu\n", where, (unsigned long long)it->id,
              it->size, bad);
  }
  free(it->p);
}

/* ------------------------------------------------------- shared queues */

struct queue {
  pthread_mutex_t mu;
  struct item *items;
  size_t head, count, cap;
};

static void q_init(struct queue *q, size_t cap) {
  pthread_mutex_init(&q->mu, NULL);
  q->items = (struct item *)calloc(cap, sizeof *q->items);
  q->head = q->count = 0;
  q->cap = cap;
}

static int q_push(struct queue *q, struct item it) {
  int ok = 0;
  pthread_mutex_lock(&q->mu);
  if (q->count < q->cap) {
    q->items[(q->head + q->count) % q->cap] = it;
    ++q->count;
    ok = 1;
  }
  pthread_mutex_unlock(&q->mu);
  return ok;
}

static int q_pop(struct queue *q, struct item *out) {
  int ok = 0;
  pthread_mutex_lock(&q->mu);
  if (q->count > 0) {
    *out = q->items[q->head];
    q->head = (q->head + 1) % q->cap;
    --q->count;
    ok = 1;
  }
  pthread_mutex_unlock(&q->mu);
  return ok;
}

/* -------------------------------------------------------- cross_thread */

enum { CT_THREADS = 4, CT_OPS = 50000 };
static struct queue g_ct_q[CT_THREADS];
static atomic_int g_ct_done;

struct ct_arg {
  int index;
};

static void *ct_worker(void *varg) {
  struct ct_arg *arg = (struct ct_arg *)varg;
  int me = arg->index;
  uint64_t s = 0x9e3779b97f4a7c15ull * (uint64_t)(me + 1);
  struct queue *mine = &g_ct_q[me];
  struct queue *peer = &g_ct_q[(me + 1) % CT_THREADS];
  /* A few local long-lived blocks too. */
  struct item local[64];
  memset(local, 0, sizeof local);
  for (int op = 0; op < CT_OPS; ++op) {
    struct item it;
    it.size = pick_size(&s);
    it.id = ((uint64_t)me << 48) | (uint64_t)op;
    int kind = (int)(rnd(&s) % 8);
    if (kind == 0) {
      it.p = (unsigned char *)calloc(1, it.size);
      if (it.p) {
        size_t where = 0;
        for (where = 0; where < it.size && it.p[where] == 0; ++where) {
        }
        if (where != it.size && atomic_fetch_add(&g_errors, 1) < 10)
          fprintf(stderr, "FAIL: calloc(%zu) byte %zu not zero\n", it.size, where);
      }
    } else if (kind == 1) {
      it.p = (unsigned char *)memalign((size_t)64 << (rnd(&s) % 6), it.size);
    } else {
      it.p = (unsigned char *)malloc(it.size);
    }
    if (!it.p) {
      atomic_fetch_add(&g_errors, 1);
      fprintf(stderr, "FAIL: allocation of %zu failed\n", it.size);
      break;
    }
    stamp(&it);
    if (rnd(&s) % 4 == 0) {
      /* keep locally, replacing (and checking) an older one */
      struct item *slot = &local[rnd(&s) % 64];
      if (slot->p) {
        if (rnd(&s) % 2) {
          /* realloc keeps content */
          size_t ns = pick_size(&s);
          unsigned char *np = (unsigned char *)realloc(slot->p, ns);
          if (!np) {
            atomic_fetch_add(&g_errors, 1);
          } else {
            size_t keep = ns < slot->size ? ns : slot->size;
            size_t bad = bm_verify(np, keep, (size_t)slot->id);
            if (bad != (size_t)-1 && atomic_fetch_add(&g_errors, 1) < 10)
              fprintf(stderr, "FAIL: realloc %zu -> %zu lost byte %zu\n", slot->size, ns, bad);
            slot->p = np;
            slot->size = ns;
            stamp(slot);
          }
        }
        check_and_free(slot, "local");
      }
      *slot = it;
    } else if (!q_push(peer, it)) {
      check_and_free(&it, "own (peer queue full)");
    }
    /* Free what others sent us; some are first resized here, in an arena
     * that is not their owner's. */
    struct item got;
    for (int k = 0; k < 2 && q_pop(mine, &got); ++k) {
      if (rnd(&s) % 4 == 0) {
        size_t ns = pick_size(&s);
        unsigned char *np = (unsigned char *)realloc(got.p, ns);
        if (!np) {
          atomic_fetch_add(&g_errors, 1);
          fprintf(stderr, "FAIL: realloc of a peer block to %zu failed\n", ns);
        } else {
          size_t keep = ns < got.size ? ns : got.size;
          size_t bad = bm_verify(np, keep, (size_t)got.id);
          if (bad != (size_t)-1 && atomic_fetch_add(&g_errors, 1) < 10)
            fprintf(stderr, "FAIL: realloc of a peer block %zu -> %zu lost byte %zu\n", got.size, ns, bad);
          got.p = np;
          got.size = ns;
          stamp(&got);
        }
      }
      check_and_free(&got, "from peer");
    }
  }
  for (int i = 0; i < 64; ++i)
    if (local[i].p) check_and_free(&local[i], "local at exit");
  atomic_fetch_add(&g_ct_done, 1);
  /* Keep draining until everyone has finished producing. */
  struct item got;
  while (atomic_load(&g_ct_done) < CT_THREADS) {
    if (q_pop(mine, &got))
      check_and_free(&got, "drain");
    else
      sched_yield();
  }
  while (q_pop(mine, &got)) check_and_free(&got, "final drain");
  return NULL;
}

static void sc_cross_thread(void) {
  for (int i = 0; i < CT_THREADS; ++i) q_init(&g_ct_q[i], 4096);
  pthread_t th[CT_THREADS];
  struct ct_arg args[CT_THREADS];
  for (int i = 0; i < CT_THREADS; ++i) {
    args[i].index = i;
    BM_CHECK(pthread_create(&th[i], NULL, ct_worker, &args[i]) == 0);
  }
  for (int i = 0; i < CT_THREADS; ++i) pthread_join(th[i], NULL);
  for (int i = 0; i < CT_THREADS; ++i) {
    struct item got;
    while (q_pop(&g_ct_q[i], &got)) check_and_free(&got, "main drain");
    free(g_ct_q[i].items);
  }
  /* Trimming every arena after the threads are gone keeps the heap sound. */
  (void)malloc_trim(0);
  bm_check_heap("after malloc_trim");
  void *again = malloc(5000);
  BM_CHECK(again != NULL);
  free(again);
}

/* -------------------------------------------------------- thread_churn */

/* Many short-lived threads (more than 8 x cores exist at once, and many more
 * over time) allocate blocks; half are left in a global pool that other
 * threads, possibly after the owner exited, free. */
static struct queue g_pool;

static void *churn_worker(void *varg) {
  uint64_t id = (uint64_t)(uintptr_t)varg;
  uint64_t s = 0x2545f4914f6cdd1dull ^ (id * 0x9e3779b97f4a7c15ull);
  struct item mine[40];
  for (int i = 0; i < 40; ++i) {
    mine[i].size = pick_size(&s);
    mine[i].id = (id << 20) | (uint64_t)i;
    mine[i].p = (unsigned char *)malloc(mine[i].size);
    if (!mine[i].p) {
      atomic_fetch_add(&g_errors, 1);
      return NULL;
    }
    stamp(&mine[i]);
  }
  /* free some blocks of other (possibly exited) threads */
  struct item got;
  for (int k = 0; k < 25 && q_pop(&g_pool, &got); ++k) check_and_free(&got, "pool");
  for (int i = 0; i < 40; ++i) {
    if (i % 2 == 0 && q_push(&g_pool, mine[i])) continue;
    check_and_free(&mine[i], "own");
  }
  return NULL;
}

static void sc_thread_churn(void) {
  size_t wave = 8 * ncpus() + 8; /* more threads than the arena limit */
  if (wave > 200) wave = 200;
  const int waves = 25;
  q_init(&g_pool, 1u << 16);
  pthread_t *th = (pthread_t *)calloc(wave, sizeof *th);
  uint64_t next_id = 1;
  for (int w = 0; w < waves; ++w) {
    size_t started = 0;
    for (size_t i = 0; i < wave; ++i) {
      if (pthread_create(&th[i], NULL, churn_worker, (void *)(uintptr_t)next_id++) != 0) {
        bm_fail(__FILE__, __LINE__, "pthread_create failed in wave %d", w);
        break;
      }
      ++started;
    }
    for (size_t i = 0; i < started; ++i) pthread_join(th[i], NULL);
    /* main thread frees part of the pool between waves */
    struct item got;
    for (int k = 0; k < 200 && q_pop(&g_pool, &got); ++k) check_and_free(&got, "main");
  }
  struct item got;
  while (q_pop(&g_pool, &got)) check_and_free(&got, "main final");
  free(th);
  free(g_pool.items);
  (void)malloc_trim(0);
  bm_check_heap("after malloc_trim");
  struct mallinfo2 mi = mallinfo2();
  printf("threads: %llu, arena bytes %zu, mmapped %zu\n", (unsigned long long)(next_id - 1), mi.arena, mi.hblkhd);
}

/* ----------------------------------------------- fork_while_allocating */

static atomic_int g_stop;

static void *fork_bg_worker(void *varg) {
  uint64_t s = 0x1234567ull + (uint64_t)(uintptr_t)varg;
  struct item ring[32];
  memset(ring, 0, sizeof ring);
  uint64_t n = 0;
  while (!atomic_load(&g_stop)) {
    struct item *slot = &ring[rnd(&s) % 32];
    if (slot->p) check_and_free(slot, "fork bg");
    slot->size = pick_size(&s);
    slot->id = n++;
    slot->p = (unsigned char *)malloc(slot->size);
    if (!slot->p) {
      atomic_fetch_add(&g_errors, 1);
      break;
    }
    stamp(slot);
  }
  for (int i = 0; i < 32; ++i)
    if (ring[i].p) check_and_free(&ring[i], "fork bg exit");
  return NULL;
}

static int child_work(int round) {
  alarm(20);       /* a deadlocked child dies with SIGALRM instead of hanging */
  bm_failures = 0; /* do not inherit the parent's count */
  atomic_store(&g_errors, 0);
  uint64_t s = 0xabcdefull + (uint64_t)round;
  struct item it[64];
  for (int i = 0; i < 64; ++i) {
    it[i].size = pick_size(&s);
    it[i].id = (uint64_t)i;
    it[i].p = (unsigned char *)malloc(it[i].size);
    if (!it[i].p) return 10;
    stamp(&it[i]);
  }
  for (int i = 0; i < 64; ++i) {
    if (bm_verify(it[i].p, it[i].size, (size_t)it[i].id) != (size_t)-1) return 11;
    free(it[i].p);
  }
  void *c = calloc(1000, 10);
  if (!c) return 12;
  free(c);
  bm_check_heap("fork child");
  return bm_failures == 0 && atomic_load(&g_errors) == 0 ? 0 : 13;
}

static void sc_fork_while_allocating(void) {
  enum { BG = 3, ROUNDS = 150 };
  pthread_t th[BG];
  for (int i = 0; i < BG; ++i) BM_CHECK(pthread_create(&th[i], NULL, fork_bg_worker, (void *)(uintptr_t)i) == 0);
  uint64_t s = 99;
  for (int round = 0; round < ROUNDS; ++round) {
    /* the parent also allocates around the fork */
    struct item it = {NULL, pick_size(&s), (uint64_t)round};
    it.p = (unsigned char *)malloc(it.size);
    BM_CHECK(it.p != NULL);
    if (!it.p) break;
    stamp(&it);
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
      bm_fail(__FILE__, __LINE__, "fork failed");
      break;
    }
    if (pid == 0) {
      int rc = child_work(round);
      /* the inherited block is intact and freeable in the child */
      if (bm_verify(it.p, it.size, (size_t)it.id) != (size_t)-1) rc = 14;
      free(it.p);
      _exit(rc);
    }
    int status = 0;
    if (waitpid(pid, &status, 0) != pid) {
      bm_fail(__FILE__, __LINE__, "waitpid failed");
      break;
    }
    if (WIFSIGNALED(status)) {
      bm_fail(__FILE__, __LINE__, "fork round %d: child killed by signal %d%s", round, WTERMSIG(status),
              WTERMSIG(status) == SIGALRM ? " (deadlock?)" : "");
    } else if (WEXITSTATUS(status) != 0) {
      bm_fail(__FILE__, __LINE__, "fork round %d: child exited with %d", round, WEXITSTATUS(status));
    }
    check_and_free(&it, "parent after fork");
    if (bm_failures > 5) break;
  }
  atomic_store(&g_stop, 1);
  for (int i = 0; i < BG; ++i) pthread_join(th[i], NULL);
}

/* ---------------------------------------------------- oom_threads */

/* Threads start under an address-space limit that leaves no room for new
 * arenas: they must fall back to existing arenas, run out of memory
 * cleanly (NULL/ENOMEM), and work again after releasing. */
enum { OOM_THREADS = 6 };
static pthread_barrier_t g_oom_barrier;

static void *oom_worker(void *varg) {
  size_t size = (size_t)(uintptr_t)varg;
  void *head = NULL;
  size_t n = 0;
  int err = 0;
  pthread_barrier_wait(&g_oom_barrier);
  for (;;) {
    errno = 0;
    void **p = (void **)malloc(size);
    if (!p) {
      err = errno;
      break;
    }
    *p = head;
    head = p;
    ++n;
  }
  if (err != ENOMEM && atomic_fetch_add(&g_errors, 1) < 10)
    fprintf(stderr, "FAIL: malloc(%zu) in a thread failed with errno %d\n", size, err);
  /* Everyone has hit the limit before anyone releases. */
  pthread_barrier_wait(&g_oom_barrier);
  while (head) {
    void *next = *(void **)head;
    free(head);
    head = next;
  }
  pthread_barrier_wait(&g_oom_barrier);
  void *again = malloc(size);
  if (!again && atomic_fetch_add(&g_errors, 1) < 10)
    fprintf(stderr, "FAIL: malloc(%zu) fails after memory was released\n", size);
  free(again);
  return (void *)n;
}

static void sc_oom_threads(void) {
  FILE *f = fopen("/proc/self/statm", "r");
  unsigned long pages = 0;
  if (!f || fscanf(f, "%lu", &pages) != 1) {
    bm_fail(__FILE__, __LINE__, "cannot read /proc/self/statm");
    if (f) fclose(f);
    return;
  }
  fclose(f);
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 256 * 1024);
  pthread_barrier_init(&g_oom_barrier, NULL, OOM_THREADS);
  struct rlimit old, lim;
  getrlimit(RLIMIT_AS, &old);
  lim = old;
  /* Room for the thread stacks and 48 MiB of heap: less than one arena
   * reservation of a ptmalloc-style allocator. */
  lim.rlim_cur = (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE) + ((rlim_t)56 << 20);
  if (setrlimit(RLIMIT_AS, &lim) != 0) {
    bm_fail(__FILE__, __LINE__, "setrlimit failed");
    return;
  }
  static const size_t sizes[OOM_THREADS] = {40, 300, 3000, 40000, 200000, 100};
  pthread_t th[OOM_THREADS];
  int started = 0;
  for (int i = 0; i < OOM_THREADS; ++i) {
    if (pthread_create(&th[i], &attr, oom_worker, (void *)(uintptr_t)sizes[i]) != 0) {
      bm_fail(__FILE__, __LINE__, "pthread_create %d failed under the limit", i);
      break;
    }
    ++started;
  }
  if (started != OOM_THREADS) {
    /* the barrier would never open: give up loudly */
    fflush(stderr);
    _exit(1);
  }
  size_t total = 0;
  char counts[256];
  size_t off = 0;
  for (int i = 0; i < OOM_THREADS; ++i) {
    void *ret = NULL;
    pthread_join(th[i], &ret);
    total += (size_t)(uintptr_t)ret * sizes[i];
    int w = snprintf(counts + off, sizeof counts - off, " %zu x %zu B;", (size_t)(uintptr_t)ret, sizes[i]);
    if (w > 0 && off + (size_t)w < sizeof counts) off += (size_t)w;
  }
  printf("blocks per thread:%s\n", counts);
  setrlimit(RLIMIT_AS, &old);
  /* The threads race for the same limit; together they must have used
   * most of it. */
  BM_CHECKF(total >= ((size_t)24 << 20), "only %zu bytes allocated before the limit (%s)", total, counts);
  void *big = malloc(100u << 20);
  BM_CHECK(big != NULL);
  free(big);
}

/* ------------------------------------------- fork_during_arena_setup */

/* Targeted: threads make their first allocation (which sets up their arena)
 * at the moment the main thread forks; every child checks the heap. */
enum { AS_THREADS = 15, AS_FORKS = 64 };
static pthread_barrier_t g_as_barrier;
static atomic_int g_as_done;

static void *arena_setup_worker(void *varg) {
  /* Staggered first allocations, spread over the time the main thread
   * spends forking. */
  struct timespec delay = {0, 150000L * (long)(uintptr_t)varg};
  pthread_barrier_wait(&g_as_barrier);
  nanosleep(&delay, NULL);
  void *p = malloc(100);
  atomic_fetch_add(&g_as_done, 1);
  if (p) memset(p, 1, 100);
  free(p);
  return NULL;
}

static void sc_fork_during_arena_setup(void) {
  pthread_t th[AS_THREADS];
  pthread_barrier_init(&g_as_barrier, NULL, AS_THREADS + 1);
  for (int i = 0; i < AS_THREADS; ++i)
    BM_CHECK(pthread_create(&th[i], NULL, arena_setup_worker, (void *)(uintptr_t)i) == 0);
  fflush(stdout);
  pthread_barrier_wait(&g_as_barrier);
  pid_t kids[AS_FORKS];
  int nkids = 0;
  for (int f = 0; f < AS_FORKS && atomic_load(&g_as_done) < AS_THREADS; ++f) {
    pid_t pid = fork();
    if (pid == 0) {
      alarm(20);
      bm_failures = 0;
      void *p = malloc(1000);
      free(p);
      bm_check_heap("child forked during arena setup");
      _exit(bm_failures == 0 ? 0 : 13);
    }
    if (pid > 0) kids[nkids++] = pid;
  }
  for (int k = 0; k < nkids; ++k) {
    int status = 0;
    waitpid(kids[k], &status, 0);
    if (WIFSIGNALED(status))
      bm_fail(__FILE__, __LINE__, "fork %d: child killed by signal %d", k, WTERMSIG(status));
    else if (WEXITSTATUS(status) != 0)
      bm_fail(__FILE__, __LINE__, "fork %d: child exited with %d", k, WEXITSTATUS(status));
  }
  for (int i = 0; i < AS_THREADS; ++i) pthread_join(th[i], NULL);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s <scenario>\n", argv[0]);
    return 2;
  }
  if (strcmp(argv[1], "cross_thread") == 0)
    sc_cross_thread();
  else if (strcmp(argv[1], "thread_churn") == 0)
    sc_thread_churn();
  else if (strcmp(argv[1], "fork_while_allocating") == 0)
    sc_fork_while_allocating();
  else if (strcmp(argv[1], "fork_during_arena_setup") == 0)
    sc_fork_during_arena_setup();
  else if (strcmp(argv[1], "oom_threads") == 0)
    sc_oom_threads();
  else {
    fprintf(stderr, "unknown scenario %s\n", argv[1]);
    return 2;
  }
  long errs = atomic_load(&g_errors);
  BM_CHECKF(errs == 0, "%ld block errors", errs);
  return bm_finish();
}
