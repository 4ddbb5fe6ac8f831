/* Slow paths of the futex mutex. */
#include "lock.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

/* A contended acquisition first watches the lock word this many times, with
 * a pause between looks, and sleeps only if it stays taken: arena critical
 * sections are short, and a futex sleep and wake cost a few microseconds and
 * a trip through the scheduler.  rptest at 2 threads (each thread frees
 * blocks the other allocated) made 24,077-25,567 futex calls per run
 * without the spin, 11,939-13,191 with it (`perf stat -e
 * syscalls:sys_enter_futex`).  The spin is short because a holder that the
 * scheduler took off its core will not release the lock during it: 100
 * looks left 267-547 calls but cost 8 producer/consumer pairs on 2 cores
 * 6 % of their speed (docs/binmalloc.md, "The arena lock spins briefly"). */
#ifndef BM_LOCK_SPINS
#define BM_LOCK_SPINS 30
#endif

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

void bm_lock_wait(bm_lock_t *l) {
  for (int i = 0; i < BM_LOCK_SPINS; i++) {
    cpu_relax();
    if (__atomic_load_n(&l->v, __ATOMIC_RELAXED) == 0 && bm_trylock(l)) return;
  }
  int saved = errno;
  int c = __atomic_exchange_n(&l->v, 2, __ATOMIC_ACQUIRE);
  while (c != 0) {
    syscall(SYS_futex, &l->v, FUTEX_WAIT_PRIVATE, 2, NULL, NULL, 0);
    c = __atomic_exchange_n(&l->v, 2, __ATOMIC_ACQUIRE);
  }
  errno = saved;
}

void bm_lock_wake(bm_lock_t *l) {
  int saved = errno;
  syscall(SYS_futex, &l->v, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
  errno = saved;
}
