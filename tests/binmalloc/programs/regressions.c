/* Regression scenarios of bugs found by the C library's own malloc tests
 * (issue 15), each reduced to what the bug needs.  Every scenario bounds its
 * work (and its child processes with alarm()) so a hang fails instead of
 * stalling; the driver adds its own time limit.
 * Usage: bm_regressions <scenario> | --list */
#define _GNU_SOURCE 1
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

#include "binmalloc.h"
#include "bm_prog.h"

/* Runs fn in a forked child with a time limit; returns 0 when it exited 0. */
static int in_child(const char *what, void (*fn)(void), unsigned limit_s) {
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) {
    bm_fail(__FILE__, __LINE__, "%s: fork failed", what);
    return -1;
  }
  if (pid == 0) {
    alarm(limit_s);
    bm_failures = 0;
    fn();
    fflush(stdout);
    _exit(bm_failures == 0 ? 0 : 1);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFSIGNALED(status)) {
    bm_fail(__FILE__, __LINE__, "%s: child killed by signal %d%s", what, WTERMSIG(status),
            WTERMSIG(status) == SIGALRM ? " (time limit: hang)" : "");
    return -1;
  }
  if (WEXITSTATUS(status) != 0) {
    bm_fail(__FILE__, __LINE__, "%s: child exited with %d", what, WEXITSTATUS(status));
    return -1;
  }
  return 0;
}

static size_t vm_bytes(void) {
  FILE *f = fopen("/proc/self/statm", "r");
  unsigned long pages = 0;
  if (!f || fscanf(f, "%lu", &pages) != 1) pages = 0;
  if (f) fclose(f);
  return (size_t)pages * (size_t)sysconf(_SC_PAGESIZE);
}

/* ------------------------------------------------- late_tcache_mmapped
 * A thread that sets up its cache when the arena has no room gets a cache
 * that is itself an mmapped chunk; thread exit must release it as one (it
 * was handed to the arena's free path: "double free or corruption (out)").
 * The mmap threshold 0 makes every request the arena cannot serve an mmapped
 * chunk; one arena makes the thread share the exhausted main arena. */
static void *late_tcache_thread(void *arg) {
  (void)arg;
  char *p = (char *)calloc(1, 100); /* the thread's first call: sets up its cache */
  BM_CHECK(p != NULL);
  for (int i = 0; p && i < 100; ++i) BM_CHECKF(p[i] == 0, "calloc byte %d not zero", i);
  free(p);
  return NULL;
}

static void late_tcache_child(void) {
  BM_CHECK(mallopt(M_ARENA_MAX, 1) == 1);
  BM_CHECK(mallopt(M_MMAP_THRESHOLD, 0) == 1);
  BM_CHECK(mallopt(M_TOP_PAD, 0) == 1);
  /* Use up top: once it is too small, requests become mmapped chunks. */
  int exhausted = 0;
  for (int i = 0; i < 1000000 && !exhausted; ++i) {
    void *p = malloc(64);
    if (!p) break;
    exhausted = bm_is_mmapped(p);
  }
  BM_CHECKF(exhausted, "top was never exhausted");
  pthread_t t;
  BM_CHECK(pthread_create(&t, NULL, late_tcache_thread, NULL) == 0);
  BM_CHECK(pthread_join(t, NULL) == 0);
  bm_check_heap("after the thread exit");
}

static void sc_late_tcache_mmapped(void) {
  for (int i = 0; i < 3; ++i) in_child("late tcache", late_tcache_child, 20);
}

/* ------------------------------------------------ calloc_until_enomem
 * The reduction of the C library's thread-failure test: under an
 * address-space limit a second thread and the main thread calloc 144 bytes
 * until it fails, then free everything. */
struct cell {
  struct cell *next;
};
static pthread_barrier_t g_barrier;

static void *calloc_until_enomem(void *arg) {
  size_t size = (size_t)(uintptr_t)arg;
  pthread_barrier_wait(&g_barrier);
  struct cell *head = NULL;
  size_t n = 0;
  for (;;) {
    errno = 0;
    struct cell *c = (struct cell *)calloc(1, size);
    if (!c) {
      BM_CHECKF(errno == ENOMEM, "calloc failed with errno %d", errno);
      break;
    }
    for (size_t i = 0; i < size; i += 8) BM_CHECKF(((char *)c)[i] == 0, "calloc byte %zu not zero", i);
    c->next = head;
    head = c;
    ++n;
  }
  pthread_barrier_wait(&g_barrier);
  while (head) {
    struct cell *next = head->next;
    free(head);
    head = next;
  }
  return (void *)n;
}

static void calloc_enomem_child(void) {
  struct rlimit lim;
  getrlimit(RLIMIT_AS, &lim);
  lim.rlim_cur = (rlim_t)(vm_bytes() + ((size_t)96 << 20));
  BM_CHECK(setrlimit(RLIMIT_AS, &lim) == 0);
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 256 * 1024);
  pthread_barrier_init(&g_barrier, NULL, 2);
  pthread_t t;
  BM_CHECK(pthread_create(&t, &attr, calloc_until_enomem, (void *)(uintptr_t)144) == 0);
  size_t mine = (size_t)(uintptr_t)calloc_until_enomem((void *)(uintptr_t)144);
  void *theirs = NULL;
  pthread_join(t, &theirs);
  BM_CHECKF(mine + (size_t)(uintptr_t)theirs > 50000, "only %zu + %zu blocks before ENOMEM", mine,
            (size_t)(uintptr_t)theirs);
  bm_check_heap("after the frees");
}

static void sc_calloc_until_enomem(void) {
  for (int i = 0; i < 2; ++i) in_child("calloc until ENOMEM", calloc_enomem_child, 60);
}

/* ------------------------------------------------ posix_memalign_errno */
static void sc_posix_memalign_errno(void) {
  void *p = (void *)1;
  errno = 0;
  int rc = posix_memalign(&p, 64, bm_opaque_size(SIZE_MAX / 2));
  BM_CHECKF(rc == ENOMEM, "posix_memalign returned %d", rc);
  BM_CHECKF(errno == ENOMEM, "errno %d after a failed posix_memalign", errno);
  BM_CHECK(p == (void *)1);
  errno = 0;
  rc = posix_memalign(&p, 64, 100);
  BM_CHECK(rc == 0 && p != NULL);
  BM_CHECKF(errno == 0, "errno %d after a successful posix_memalign", errno);
  free(p);
}

/* ------------------------------------------------ huge_alignment */
/* memalign with an alignment of 2^63 (the C library's too-large test): the
 * size check subtracted the alignment from the largest request and wrapped,
 * so the request went on and the split wrote far outside the heap. */
static void sc_huge_alignment(void) {
  const size_t align = SIZE_MAX / 2 + 1;
  const size_t sizes[] = {1, 4096, SIZE_MAX / 2, SIZE_MAX - 1};
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; ++i) {
    errno = 0;
    void *p = memalign(align, bm_opaque_size(sizes[i]));
    BM_CHECKF(p == NULL, "memalign(2^63, %zu) returned %p", sizes[i], p);
    BM_CHECKF(errno == ENOMEM, "errno %d after memalign(2^63, %zu)", errno, sizes[i]);
    void *q = (void *)1;
    int rc = posix_memalign(&q, align, bm_opaque_size(sizes[i]));
    BM_CHECKF(rc == ENOMEM && q == (void *)1, "posix_memalign(2^63, %zu) returned %d", sizes[i], rc);
  }
  void *ok = malloc(100); /* the heap is still usable */
  BM_CHECK(ok != NULL);
  free(ok);
}

/* ------------------------------------------------ impossible_sizes_once
 * The C library's too-large test asks some 800,000 times for sizes no
 * process can have.  Each failed request must cost one try at the system
 * (mmap, brk, mmap fallback, as the C library does), not a second one in a
 * new arena that could only mmap the same size again, nor (realloc) a third
 * one through malloc: that tripled the test's system calls and time. */
typedef void (*stats_fn)(struct binmalloc_stats_ex *);

static void sc_impossible_sizes_once(void) {
  struct rlimit lim = {(1UL << 50) - 1, (1UL << 50) - 1}; /* as the C library's test */
  BM_CHECK(setrlimit(RLIMIT_AS, &lim) == 0);
  stats_fn stats = (stats_fn)(uintptr_t)dlsym(RTLD_DEFAULT, "binmalloc_stats_ex");
  if (bm_expect_binmalloc()) BM_CHECK(stats != NULL);
  struct binmalloc_stats_ex before = {0}, after = {0};
  const size_t sizes[] = {1UL << 50, (3UL << 50) | ((1UL << 50) - 1), (1UL << 62) + 12345};
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; ++i) {
    size_t n = bm_opaque_size(sizes[i]);
    void *old = malloc(16);
    BM_CHECK(old != NULL);
    if (stats) stats(&before);
    errno = 0;
    void *m = malloc(n);
    BM_CHECKF(m == NULL && errno == ENOMEM, "malloc(%zu): %p, errno %d", n, m, errno);
    errno = 0;
    void *r = realloc(old, n);
    BM_CHECKF(r == NULL && errno == ENOMEM, "realloc(p, %zu): %p, errno %d", n, r, errno);
    errno = 0;
    void *a = memalign(4096, n);
    BM_CHECKF(a == NULL && errno == ENOMEM, "memalign(4096, %zu): %p, errno %d", n, a, errno);
    errno = 0;
    void *c = calloc(1, n);
    BM_CHECKF(c == NULL && errno == ENOMEM, "calloc(1, %zu): %p, errno %d", n, c, errno);
    if (stats) {
      stats(&after);
      BM_CHECKF(after.sysmalloc_calls - before.sysmalloc_calls == 4,
                "size %zu: %llu tries at the system for 4 failed calls (expected one each)", n,
                (unsigned long long)(after.sysmalloc_calls - before.sysmalloc_calls));
      BM_CHECKF(after.narenas == 1, "size %zu: %llu arenas in a single-threaded process", n,
                (unsigned long long)after.narenas);
    }
    free(old); /* realloc failed: the block is still the caller's */
  }
}

/* ------------------------------------------------ mallopt_check_action */
static void sc_mallopt_check_action(void) {
  BM_CHECK(mallopt(M_CHECK_ACTION, 1) == 1);
  BM_CHECK(mallopt(M_CHECK_ACTION, 3) == 1);
  void *p = malloc(10);
  BM_CHECK(p != NULL);
  free(p);
}

/* ---------------------------------------------- malloc_stats_cancelled
 * malloc_stats called with a cancellation pending must write its whole report
 * (write() is a cancellation point). */
static pthread_barrier_t g_gate;
static void *stats_thread(void *arg) {
  (void)arg;
  pthread_barrier_wait(&g_gate);
  malloc_stats();
  fputs("not reached: cancelled at this point\n", stderr);
  return NULL;
}

static void stats_child(void) {
  int fds[2];
  BM_CHECK(pipe(fds) == 0);
  int saved = dup(2);
  dup2(fds[1], 2);
  close(fds[1]);
  pthread_barrier_init(&g_gate, NULL, 2);
  pthread_t t;
  BM_CHECK(pthread_create(&t, NULL, stats_thread, NULL) == 0);
  pthread_cancel(t);
  pthread_barrier_wait(&g_gate);
  void *rv = NULL;
  pthread_join(t, &rv);
  dup2(saved, 2);
  close(saved);
  static char buf[65536];
  size_t len = 0;
  ssize_t n;
  while (len < sizeof buf - 1 && (n = read(fds[0], buf + len, sizeof buf - 1 - len)) > 0) len += (size_t)n;
  buf[len] = 0;
  BM_CHECK(rv == PTHREAD_CANCELED);
  BM_CHECKF(strstr(buf, "max mmap bytes") != NULL, "malloc_stats output incomplete: \"%s\"", buf);
  BM_CHECKF(strstr(buf, "not reached") == NULL, "the thread was not cancelled after malloc_stats");
}

static void sc_malloc_stats_cancelled(void) {
  for (int i = 0; i < 5; ++i) in_child("malloc_stats cancelled", stats_child, 10);
}

/* ------------------------------------------------ fork_in_signal_handler
 * A single-threaded process forks from a signal handler while its main
 * program allocates, frees and forks itself (the handler may interrupt the
 * outer fork's own handlers).  With no second thread fork takes no allocator
 * lock, so the nested fork cannot wait for a lock its own thread holds. */
enum { SIG_SENDERS = 1, SIG_ITERATIONS = 60 };
static volatile sig_atomic_t g_sig_errors;
static int *g_handled; /* shared with the sender: signals handled so far */

static pid_t fork_and_reap(void) {
  pid_t pid = fork();
  if (pid == 0) _exit(0);
  if (pid < 0) return pid;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (status != 0) g_sig_errors = 1;
  return pid;
}

static void fork_handler(int signo) {
  (void)signo;
  int saved = errno;
  if (fork_and_reap() < 0) g_sig_errors = 1;
  __atomic_add_fetch(g_handled, 1, __ATOMIC_RELEASE);
  errno = saved;
}

static void fork_in_signal_child(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = fork_handler;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGUSR1, &sa, NULL);
  pid_t parent = getpid();
  g_handled = (int *)mmap(NULL, sizeof(int), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (g_handled == MAP_FAILED) {
    bm_fail(__FILE__, __LINE__, "mmap failed");
    return;
  }
  /* The sender waits until a signal has been handled before the next one
   * (after a pause of 0.5-4.5 ms): a loaded machine, where a fork takes longer
   * than the pause, cannot pile up handlers and starve the main loop. */
  pid_t senders[SIG_SENDERS];
  for (int i = 0; i < SIG_SENDERS; ++i) {
    senders[i] = fork();
    if (senders[i] == 0) {
      for (unsigned k = 0;; ++k) {
        int before = __atomic_load_n(g_handled, __ATOMIC_ACQUIRE);
        if (kill(parent, SIGUSR1) != 0) _exit(0);
        struct timespec poll = {0, 200000L};
        while (__atomic_load_n(g_handled, __ATOMIC_ACQUIRE) == before)
          if (nanosleep(&poll, NULL) != 0 || kill(parent, 0) != 0) _exit(0);
        struct timespec d = {0, (long)(500000 + (k * 7919u + (unsigned)i * 104729u) % 4000000)};
        nanosleep(&d, NULL);
      }
    }
  }
  void *keep[16] = {0};
  for (int it = 0; it < SIG_ITERATIONS; ++it) {
    size_t size = (size_t)(16 + (it * 37) % 5000);
    free(keep[it % 16]);
    keep[it % 16] = malloc(size);
    void *t = calloc(1, size / 2 + 1);
    free(t);
    if (fork_and_reap() < 0) bm_fail(__FILE__, __LINE__, "fork failed");
  }
  for (int i = 0; i < SIG_SENDERS; ++i) {
    kill(senders[i], SIGKILL);
    waitpid(senders[i], NULL, 0);
  }
  for (int i = 0; i < 16; ++i) free(keep[i]);
  BM_CHECK(g_sig_errors == 0);
  bm_check_heap("after forks in signal handlers");
}

static void sc_fork_in_signal_handler(void) {
  for (int i = 0; i < 2; ++i) in_child("fork in signal handler", fork_in_signal_child, 20);
}

/* ------------------------------------------------ fork_stdio_deadlock
 * A forking thread, a fflush(NULL) thread and threads reading a long line
 * with getline (which allocates while it holds the FILE lock): the allocator's
 * fork locks must be ordered with stdio's so the three cannot wait in a ring. */
enum { READERS = 2 };
static atomic_int g_stop;
static char g_line_file[64];

static void *forker(void *arg) {
  (void)arg;
  while (!atomic_load(&g_stop)) {
    pid_t pid = fork();
    if (pid == 0) _exit(17);
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 17)
      bm_fail(__FILE__, __LINE__, "fork/waitpid failed (status %d)", status);
  }
  return NULL;
}

static void *flusher(void *arg) {
  (void)arg;
  while (!atomic_load(&g_stop)) fflush(NULL);
  return NULL;
}

static void *reader(void *arg) {
  (void)arg;
  FILE *f = fopen(g_line_file, "r");
  if (!f) {
    bm_fail(__FILE__, __LINE__, "cannot open %s", g_line_file);
    return NULL;
  }
  while (!atomic_load(&g_stop)) {
    rewind(f);
    char *line = NULL;
    size_t cap = 0;
    if (getline(&line, &cap, f) != 50001) bm_fail(__FILE__, __LINE__, "getline");
    free(line);
  }
  fclose(f);
  return NULL;
}

static void fork_stdio_child(void) {
  pthread_t t[2 + READERS];
  BM_CHECK(pthread_create(&t[0], NULL, forker, NULL) == 0);
  BM_CHECK(pthread_create(&t[1], NULL, flusher, NULL) == 0);
  for (int i = 0; i < READERS; ++i) BM_CHECK(pthread_create(&t[2 + i], NULL, reader, NULL) == 0);
  struct timespec d = {1, 500000000L};
  nanosleep(&d, NULL);
  atomic_store(&g_stop, 1);
  for (int i = 0; i < 2 + READERS; ++i) pthread_join(t[i], NULL);
  bm_check_heap("after fork/stdio threads");
}

static void sc_fork_stdio_deadlock(void) {
  snprintf(g_line_file, sizeof g_line_file, "/tmp/bm_regress_line_%d", (int)getpid());
  FILE *f = fopen(g_line_file, "w");
  if (!f) {
    bm_fail(__FILE__, __LINE__, "cannot create %s", g_line_file);
    return;
  }
  for (int i = 0; i < 50000; ++i) fputc('x', f);
  fputc('\n', f);
  fclose(f);
  for (int i = 0; i < 3; ++i) in_child("fork with stdio threads", fork_stdio_child, 20);
  unlink(g_line_file);
}

/* ------------------------------------------------ concurrent_forks
 * Several threads forking at once while another allocates: the C library runs
 * their prepare handlers concurrently, so whether a prepare handler took the
 * allocator's locks must be remembered per thread (a shared flag let one fork
 * clear another's, whose parent handler then left the locks held). */
enum { FORKERS = 3 };

static void *allocator_loop(void *arg) {
  (void)arg;
  void *keep[32] = {0};
  for (unsigned i = 0; !atomic_load(&g_stop); ++i) {
    free(keep[i % 32]);
    keep[i % 32] = malloc(16 + (i * 131u) % 3000);
  }
  for (int i = 0; i < 32; ++i) free(keep[i]);
  return NULL;
}

static void concurrent_forks_child(void) {
  atomic_store(&g_stop, 0);
  pthread_t t[FORKERS + 1];
  for (int i = 0; i < FORKERS; ++i) BM_CHECK(pthread_create(&t[i], NULL, forker, NULL) == 0);
  BM_CHECK(pthread_create(&t[FORKERS], NULL, allocator_loop, NULL) == 0);
  struct timespec d = {1, 500000000L};
  nanosleep(&d, NULL);
  atomic_store(&g_stop, 1);
  for (int i = 0; i <= FORKERS; ++i) pthread_join(t[i], NULL);
  bm_check_heap("after concurrent forks");
}

static void sc_concurrent_forks(void) {
  for (int i = 0; i < 4; ++i) in_child("concurrent forks", concurrent_forks_child, 20);
}

/* ------------------------------------------------ brk_blocked_fallback
 * When the break cannot move, the main arena goes on in an mmapped region and
 * ends the old top with two fenceposts; the rest of the old top goes to the
 * unsorted bin.  In the main arena the first fencepost's size word (no arena
 * flag, PREV_INUSE cleared behind the free chunk) is exactly 16, which the
 * unsorted scan took for a corrupt size: "malloc(): invalid next size
 * (unsorted)" at the next large malloc (seen once in the C library's
 * thread-failure test, where the break ran into the address-space limit).
 * A page mapped at the break makes the fallback certain; the top is first cut
 * to a known remainder so that a free chunk is left in front of the fences. */
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

/* Size of the chunk after p when it is the heap's top, ending at the break;
 * 0 when p was not carved from the top. */
static size_t top_after(void *p) {
  if (bm_is_mmapped(p)) return 0;
  char *next = (char *)bm_hdr(p) + bm_chunk_size(p);
  size_t size = ((size_t *)next)[1] & ~(size_t)7;
  return next + size == (char *)sbrk(0) ? size : 0;
}

enum { BRK_HELD = 256 };

static void brk_blocked_child(void) {
  const size_t page = (size_t)sysconf(_SC_PAGESIZE);
  const size_t rest = 256; /* the old top's size when the break stops */
  void *held[BRK_HELD];
  size_t n = 0;
  size_t top = 0;
  /* Carve chunks until the top is exactly `rest` bytes (the break still
   * moves: a top too small to cut grows first).  A request served from a
   * free chunk instead of the top leaves the top as it was. */
  while (n < BRK_HELD && top != rest) {
    size_t cut = 40000;
    if (top >= rest + 32 && top - rest <= 60000)
      cut = top - rest;
    else if (top > rest + 60000 && top - rest - cut == 16)
      cut -= 16;
    void *p = malloc(bm_opaque_size(cut - 8)); /* a chunk of `cut` bytes */
    BM_CHECK(p != NULL);
    if (!p) return;
    held[n++] = p;
    size_t t = top_after(p);
    if (t) top = t;
  }
  BM_CHECKF(top == rest, "could not cut the top to %zu bytes (top %zu)", rest, top);
  if (top != rest) return;
  char *brk_end = (char *)sbrk(0);
  char *at = (char *)(((uintptr_t)brk_end + page - 1) & ~(uintptr_t)(page - 1));
  void *wall = mmap(at, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  BM_CHECKF(wall == at, "cannot map a page at the break %p", (void *)at);
  if (wall != at) return;
  /* More than the top holds: the break cannot move, so the heap goes on in
   * an mmapped region and the old top is closed. */
  int moved = 0;
  while (n < BRK_HELD && !moved) {
    void *p = malloc(bm_opaque_size(60000));
    BM_CHECK(p != NULL);
    if (!p) return;
    held[n++] = p;
    moved = (char *)p > at;
  }
  BM_CHECKF(moved, "the heap never continued past the break");
  BM_CHECKF(sbrk(0) == brk_end, "the break moved past the mapped page");
  /* A large request scans the unsorted bin, which holds the old top's rest;
   * a small one takes that chunk (up to the fencepost). */
  void *large = malloc(bm_opaque_size(3000));
  BM_CHECK(large != NULL);
  void *small = malloc(bm_opaque_size(200));
  BM_CHECK(small != NULL);
  if (large) memset(large, 0x5a, 3000);
  if (small) memset(small, 0xa5, 200);
  bm_check_heap("after the fallback");
  free(small);
  free(large);
  while (n > 0) free(held[--n]);
  bm_check_heap("after the frees");
  munmap(wall, page);
}

static void sc_brk_blocked_fallback(void) {
  in_child("brk blocked", brk_blocked_child, 20);
}

struct scenario {
  const char *name;
  void (*fn)(void);
};
/* One scenario per line. */
/* clang-format off */
static const struct scenario kScenarios[] = {
    {"late_tcache_mmapped", sc_late_tcache_mmapped},
    {"calloc_until_enomem", sc_calloc_until_enomem},
    {"posix_memalign_errno", sc_posix_memalign_errno},
    {"mallopt_check_action", sc_mallopt_check_action},
    {"malloc_stats_cancelled", sc_malloc_stats_cancelled},
    {"fork_in_signal_handler", sc_fork_in_signal_handler},
    {"fork_stdio_deadlock", sc_fork_stdio_deadlock},
    {"huge_alignment", sc_huge_alignment},
    {"impossible_sizes_once", sc_impossible_sizes_once},
    {"concurrent_forks", sc_concurrent_forks},
    {"brk_blocked_fallback", sc_brk_blocked_fallback},
};
/* clang-format on */

int main(int argc, char **argv) {
  size_t count = sizeof kScenarios / sizeof kScenarios[0];
  if (argc != 2) {
    fprintf(stderr, "usage: %s <scenario> | --list\n", argv[0]);
    return 2;
  }
  if (strcmp(argv[1], "--list") == 0) {
    for (size_t i = 0; i < count; ++i) printf("%s\n", kScenarios[i].name);
    return 0;
  }
  for (size_t i = 0; i < count; ++i) {
    if (strcmp(argv[1], kScenarios[i].name) == 0) {
      kScenarios[i].fn();
      return bm_finish();
    }
  }
  fprintf(stderr, "unknown scenario %s\n", argv[1]);
  return 2;
}
