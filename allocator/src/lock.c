/* Slow paths of the futex mutex. */
#include "lock.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

void bm_lock_wait(bm_lock_t *l) {
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
