/* The OS layer (see sysmem.h).  Every call here preserves errno only where the
 * callers need it; allocation failures report ENOMEM through the callers. */
#include "sysmem.h"

#include <sys/mman.h>
#include <unistd.h>

size_t bm_pagesize = BM_PAGE_DEFAULT;

#ifndef BINMALLOC_USE_BRK
#define BINMALLOC_USE_BRK 0
#endif

void bm_sys_init(void) {
  long ps = sysconf(_SC_PAGESIZE);
  if (ps > 0) bm_pagesize = (size_t)ps;
}

int bm_sys_uses_brk(void) {
  return BINMALLOC_USE_BRK;
}

#if BINMALLOC_USE_BRK

void *bm_sys_morecore(intptr_t incr) {
  void *old = sbrk(incr);
  if (old == (void *)-1) return NULL;
  return old;
}

#else

/* Pseudo-brk: one large PROT_NONE reservation whose front part is made
 * read-write as the "break" moves.  Two brk users in one process (glibc's
 * malloc of the test program and this allocator) would corrupt each other. */
#define PSEUDO_BRK_RESERVE (16UL << 30)
static char *pb_base, *pb_brk, *pb_committed, *pb_limit;

void *bm_sys_morecore(intptr_t incr) {
  if (!pb_base) {
    void *p = mmap(NULL, PSEUDO_BRK_RESERVE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) return NULL;
    pb_base = pb_brk = pb_committed = (char *)p;
    pb_limit = pb_base + PSEUDO_BRK_RESERVE;
  }
  char *old = pb_brk;
  if (incr > 0) {
    if ((size_t)incr > (size_t)(pb_limit - pb_brk)) return NULL;
    char *want = pb_brk + incr;
    if (want > pb_committed) {
      char *newc = (char *)bm_align_up((uintptr_t)want, bm_pagesize);
      if (mprotect(pb_committed, (size_t)(newc - pb_committed), PROT_READ | PROT_WRITE) != 0) return NULL;
      pb_committed = newc;
    }
    pb_brk = want;
  } else if (incr < 0) {
    if ((size_t)-incr > (size_t)(pb_brk - pb_base)) return NULL;
    pb_brk += incr;
    char *keep = (char *)bm_align_up((uintptr_t)pb_brk, bm_pagesize);
    if (keep < pb_committed) {
      madvise(keep, (size_t)(pb_committed - keep), MADV_DONTNEED);
      mprotect(keep, (size_t)(pb_committed - keep), PROT_NONE);
      pb_committed = keep;
    }
  }
  return old;
}

#endif

void *bm_sys_mmap(size_t len) {
  void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  return p == MAP_FAILED ? NULL : p;
}

int bm_sys_munmap(void *p, size_t len) {
  return munmap(p, len);
}

void *bm_sys_mremap(void *p, size_t old_len, size_t new_len) {
  void *q = mremap(p, old_len, new_len, MREMAP_MAYMOVE);
  return q == MAP_FAILED ? NULL : q;
}

void bm_sys_dontneed(void *p, size_t len) {
  if (len) madvise(p, len, MADV_DONTNEED);
}

void *bm_sys_reserve_aligned(size_t len) {
  char *p = (char *)mmap(NULL, len * 2, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == (char *)MAP_FAILED) return NULL;
  char *aligned = (char *)bm_align_up((uintptr_t)p, len);
  if (aligned > p) munmap(p, (size_t)(aligned - p));
  char *end = p + len * 2;
  if (aligned + len < end) munmap(aligned + len, (size_t)(end - (aligned + len)));
  return aligned;
}

int bm_sys_commit(void *p, size_t len) {
  return mprotect(p, len, PROT_READ | PROT_WRITE);
}

void bm_sys_decommit(void *p, size_t len) {
  if (!len) return;
  madvise(p, len, MADV_DONTNEED);
  mprotect(p, len, PROT_NONE);
}
