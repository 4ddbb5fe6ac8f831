/* API conformance scenarios for the libc allocation entry points.
 * Usage: bm_api_conformance <scenario>   (see the table at the bottom). */
#define _GNU_SOURCE 1
#include <gnu/libc-version.h>
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/resource.h>

#include "binmalloc.h"
#include "bm_prog.h"

static const size_t kPage = 4096;

static size_t page_size(void) {
  return (size_t)sysconf(_SC_PAGESIZE);
}

/* Huge requests that no allocator can satisfy. */
static const size_t kHuge[] = {
    SIZE_MAX,
    SIZE_MAX - 1,
    SIZE_MAX - 7,
    SIZE_MAX - 15,
    SIZE_MAX - 16,
    SIZE_MAX - 31,
    SIZE_MAX - 4095,
    SIZE_MAX - 4096,
    SIZE_MAX - 65536,
    SIZE_MAX - (1u << 20),
    (size_t)PTRDIFF_MAX + 1,
    (size_t)PTRDIFF_MAX + 16,
    (size_t)PTRDIFF_MAX,
    (size_t)PTRDIFF_MAX - 15,
    (size_t)1 << 62,
};
#define N_HUGE (sizeof kHuge / sizeof kHuge[0])

/* ---------------------------------------------------------------- malloc */

static void sc_malloc_zero(void) {
  enum { N = 64 };
  void *p[N];
  for (int i = 0; i < N; ++i) {
    p[i] = malloc(bm_opaque_size(0));
    BM_CHECKF(p[i] != NULL, "malloc(0) returned NULL (#%d)", i);
  }
  for (int i = 0; i < N; ++i)
    for (int j = i + 1; j < N; ++j) BM_CHECKF(p[i] != p[j], "malloc(0) returned the same pointer twice: %p", p[i]);
  for (int i = 0; i < N; ++i) {
    if (p[i] == NULL) continue;
    BM_CHECKF(((uintptr_t)p[i] & 15) == 0, "malloc(0) result %p not 16-aligned", p[i]);
    /* ptmalloc: minimum chunk 32 -> 24 usable bytes. */
    size_t u = malloc_usable_size(p[i]);
    BM_CHECKF(u == 24, "malloc_usable_size(malloc(0)) = %zu, expected 24", u);
    memset(p[i], 0xab, u);
  }
  for (int i = 0; i < N; ++i) free(p[i]);
  /* Also through realloc(NULL, 0) and calloc(0, n). */
  void *r = realloc(NULL, bm_opaque_size(0));
  BM_CHECKF(r != NULL, "realloc(NULL, 0) returned NULL");
  free(r);
  void *c1 = calloc(bm_opaque_size(0), bm_opaque_size(SIZE_MAX));
  BM_CHECKF(c1 != NULL, "calloc(0, SIZE_MAX) returned NULL");
  void *c2 = calloc(bm_opaque_size(SIZE_MAX), bm_opaque_size(0));
  BM_CHECKF(c2 != NULL, "calloc(SIZE_MAX, 0) returned NULL");
  BM_CHECK(c1 != c2);
  free(c1);
  free(c2);
}

static void sc_malloc_huge(void) {
  for (size_t i = 0; i < N_HUGE; ++i) {
    errno = 0;
    void *p = malloc(bm_opaque_size(kHuge[i]));
    BM_CHECKF(p == NULL, "malloc(%#zx) returned %p", kHuge[i], p);
    BM_CHECKF(errno == ENOMEM, "malloc(%#zx): errno %d, expected ENOMEM", kHuge[i], errno);
    if (p) free(p);
  }
  /* The allocator still works afterwards. */
  void *q = malloc(100);
  BM_CHECK(q != NULL);
  free(q);
}

static void sc_malloc_sizes(void) {
  /* Every size 0..4200 then powers of two up to 16 MiB: aligned, writable,
   * distinct, content kept while other blocks come and go. */
  enum { N = 4201 };
  static void *p[N];
  for (size_t n = 0; n < N; ++n) {
    p[n] = malloc(bm_opaque_size(n));
    BM_CHECKF(p[n] != NULL, "malloc(%zu) returned NULL", n);
    if (!p[n]) continue;
    BM_CHECKF(((uintptr_t)p[n] & 15) == 0, "malloc(%zu) = %p not 16-aligned", n, p[n]);
    bm_fill(p[n], n, n);
  }
  for (size_t n = 0; n < N; n += 2) {
    free(p[n]);
    p[n] = NULL;
  }
  for (size_t n = 1; n < N; n += 2) {
    size_t bad = bm_verify(p[n], n, n);
    BM_CHECKF(bad == (size_t)-1, "block of %zu bytes corrupted at %zu", n, bad);
    free(p[n]);
  }
  for (size_t n = 1; n <= ((size_t)16 << 20); n <<= 1) {
    for (int d = -1; d <= 1; ++d) {
      size_t sz = n + (size_t)d;
      unsigned char *q = (unsigned char *)malloc(bm_opaque_size(sz));
      BM_CHECKF(q != NULL, "malloc(%zu) returned NULL", sz);
      if (!q) continue;
      BM_CHECKF(((uintptr_t)q & 15) == 0, "malloc(%zu) = %p not 16-aligned", sz, (void *)q);
      if (sz) {
        q[0] = 1;
        q[sz - 1] = 2;
        q[sz / 2] = 3;
      }
      free(q);
    }
  }
}

/* ---------------------------------------------------------------- calloc */

static void sc_calloc_overflow(void) {
  static const size_t pairs[][2] = {
      {SIZE_MAX / 2 + 1, 2},
      {2, SIZE_MAX / 2 + 1},
      {(size_t)1 << 32, (size_t)1 << 32},
      {SIZE_MAX, SIZE_MAX},
      {SIZE_MAX, 2},
      {65537, (SIZE_MAX / 65536)},
      {3, SIZE_MAX / 3 + 1},
      /* No overflow, but more than PTRDIFF_MAX. */
      {(size_t)PTRDIFF_MAX / 2 + 1, 2},
      {1, SIZE_MAX},
  };
  for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; ++i) {
    errno = 0;
    void *p = calloc(bm_opaque_size(pairs[i][0]), bm_opaque_size(pairs[i][1]));
    BM_CHECKF(p == NULL, "calloc(%#zx, %#zx) returned %p", pairs[i][0], pairs[i][1], p);
    BM_CHECKF(errno == ENOMEM, "calloc(%#zx, %#zx): errno %d, expected ENOMEM", pairs[i][0], pairs[i][1], errno);
    if (p) free(p);
  }
}

static int all_zero(const void *p, size_t n, size_t *where) {
  const unsigned char *c = (const unsigned char *)p;
  for (size_t i = 0; i < n; ++i)
    if (c[i] != 0) {
      *where = i;
      return 0;
    }
  return 1;
}

static void check_calloc_zero(size_t nmemb, size_t size, const char *what) {
  size_t n = nmemb * size;
  unsigned char *p = (unsigned char *)calloc(bm_opaque_size(nmemb), bm_opaque_size(size));
  BM_CHECKF(p != NULL, "%s: calloc(%zu, %zu) returned NULL", what, nmemb, size);
  if (!p) return;
  size_t where = 0;
  BM_CHECKF(all_zero(p, n, &where), "%s: calloc(%zu, %zu) byte %zu is %#x, not 0", what, nmemb, size, where, p[where]);
  /* The whole usable area must be zero as far as the request goes; dirty it
   * so later reuse is tested too. */
  memset(p, 0xa5, n);
  free(p);
}

static void dirty_then_free(size_t n, int count) {
  void *ptrs[16];
  for (int i = 0; i < count; ++i) {
    ptrs[i] = malloc(bm_opaque_size(n));
    if (ptrs[i]) memset(ptrs[i], 0xa5, malloc_usable_size(ptrs[i]));
  }
  for (int i = 0; i < count; ++i) free(ptrs[i]);
}

static void sc_calloc_zeroed(void) {
  static const size_t sizes[] = {1,    8,     16,    24,     25,     40,     64,       100,     120,
                                 128,  200,   500,   1000,   1024,   1032,   1040,     1500,    4000,
                                 8192, 20000, 65536, 100000, 131072, 200000, 1u << 20, 5u << 20};
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; ++i) {
    size_t n = sizes[i];
    /* Fresh memory. */
    check_calloc_zero(1, n, "fresh");
    /* Dirty memory of the same size: tcache, then fastbin/unsorted (tcache
     * full), then the chunk sits in a bin. */
    dirty_then_free(n, 10);
    check_calloc_zero(1, n, "reused");
    check_calloc_zero(n, 1, "reused (nmemb form)");
    dirty_then_free(n, 10);
    for (int k = 0; k < 10; ++k) check_calloc_zero(1, n, "reused x10");
  }
  /* Dirty a big region, free it (it merges into top), then calloc pieces. */
  {
    unsigned char *big = (unsigned char *)malloc(bm_opaque_size(100000));
    BM_CHECK(big != NULL);
    if (big) memset(big, 0x5a, 100000);
    free(big);
    for (int k = 0; k < 50; ++k) check_calloc_zero(3, 333 + (size_t)k * 16, "carved from dirty top");
  }
  /* A large block freed raises the dynamic mmap threshold in ptmalloc, so
   * the next calloc of that size comes from the (dirty) heap. */
  for (int round = 0; round < 3; ++round) {
    size_t n = 300000 + (size_t)round * 50000;
    unsigned char *m = (unsigned char *)malloc(bm_opaque_size(n));
    BM_CHECK(m != NULL);
    if (m) memset(m, 0xa5, n);
    free(m);
    check_calloc_zero(1, n, "large after large free");
    check_calloc_zero(1, n / 2, "half-large after large free");
  }
  /* calloc after realloc shrink left dirty data behind. */
  {
    unsigned char *r = (unsigned char *)malloc(5000);
    BM_CHECK(r != NULL);
    if (r) memset(r, 0xee, 5000);
    void *guard = malloc(64);
    r = (unsigned char *)realloc(r, 1000);
    check_calloc_zero(1, 3000, "after realloc shrink");
    free(r);
    free(guard);
  }
}

/* --------------------------------------------------------------- realloc */

static void sc_realloc_content(void) {
  /* Sizes crossing tcache / fastbin / smallbin / largebin / mmap classes. */
  static const size_t seq[] = {1,      24,     40,     100,    500,      1000,     1032,     1040,     2000,   10000,
                               65536,  131072, 140000, 200000, 1u << 20, 3u << 20, 8u << 20, 1u << 20, 300000, 130000,
                               100000, 5000,   1040,   1024,   120,      24,       0x10,     1};
  for (int variant = 0; variant < 3; ++variant) {
    size_t cur = 1;
    unsigned char *p = (unsigned char *)malloc(1);
    BM_CHECK(p != NULL);
    if (!p) return;
    bm_fill(p, 1, 1000);
    void *blockers[64];
    int nb = 0;
    for (size_t i = 0; i < sizeof seq / sizeof seq[0]; ++i) {
      size_t next = seq[i];
      /* variant 1: a fresh neighbour blocks in-place growth;
       * variant 2: free neighbours around to allow merging. */
      if (variant == 1 && nb < 64) blockers[nb++] = malloc(48);
      if (variant == 2 && nb < 64) {
        void *t = malloc(bm_opaque_size(next / 2 + 16));
        free(t);
      }
      unsigned char *q = (unsigned char *)realloc(p, bm_opaque_size(next));
      BM_CHECKF(q != NULL, "realloc(%zu -> %zu) returned NULL", cur, next);
      if (!q) break;
      BM_CHECKF(((uintptr_t)q & 15) == 0, "realloc result %p not 16-aligned", (void *)q);
      size_t keep = cur < next ? cur : next;
      size_t bad = bm_verify(q, keep, 1000 + i);
      BM_CHECKF(bad == (size_t)-1, "variant %d: realloc %zu -> %zu lost content at byte %zu", variant, cur, next, bad);
      BM_CHECKF(malloc_usable_size(q) >= next, "realloc to %zu: usable %zu", next, malloc_usable_size(q));
      bm_fill(q, next, 1000 + i + 1);
      p = q;
      cur = next;
    }
    free(p);
    for (int k = 0; k < nb; ++k) free(blockers[k]);
  }
  /* Blocks from the aligned entry points keep their content too. */
  for (size_t align = 32; align <= ((size_t)1 << 16); align <<= 2) {
    static const size_t steps[] = {100, 3000, 200000, 50, 1u << 20, 700};
    size_t cur = 40;
    unsigned char *a = (unsigned char *)memalign(align, cur);
    BM_CHECK(a != NULL);
    if (!a) continue;
    bm_fill(a, cur, align);
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; ++i) {
      unsigned char *q = (unsigned char *)realloc(a, steps[i]);
      BM_CHECKF(q != NULL, "realloc of memalign(%zu) block to %zu failed", align, steps[i]);
      if (!q) break;
      size_t keep = cur < steps[i] ? cur : steps[i];
      size_t bad = bm_verify(q, keep, align + i);
      BM_CHECKF(bad == (size_t)-1, "realloc of memalign(%zu) block %zu -> %zu lost byte %zu", align, cur, steps[i],
                bad);
      bm_fill(q, steps[i], align + i + 1);
      a = q;
      cur = steps[i];
    }
    free(a);
  }
  /* Mmapped blocks with a large alignment (front padding inside the
   * mapping) keep their content when resized in both directions. */
  for (size_t align = 4096; align <= ((size_t)1 << 21); align <<= 3) {
    static const size_t steps[] = {2u << 20, 5u << 20, 400000, 300, 3u << 20};
    size_t cur = 300000;
    unsigned char *a = (unsigned char *)memalign(align, cur);
    BM_CHECK(a != NULL);
    if (!a) continue;
    bm_fill(a, cur, align * 3);
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; ++i) {
      unsigned char *q = (unsigned char *)realloc(a, steps[i]);
      BM_CHECKF(q != NULL, "realloc of mmapped memalign(%zu) block to %zu failed", align, steps[i]);
      if (!q) break;
      size_t keep = cur < steps[i] ? cur : steps[i];
      size_t bad = bm_verify(q, keep, align * 3 + i);
      BM_CHECKF(bad == (size_t)-1, "realloc of mmapped memalign(%zu) block %zu -> %zu lost byte %zu", align, cur,
                steps[i], bad);
      BM_CHECK(malloc_usable_size(q) >= steps[i]);
      bm_fill(q, steps[i], align * 3 + i + 1);
      a = q;
      cur = steps[i];
    }
    free(a);
  }
  /* Same size and tiny steps. */
  unsigned char *p = (unsigned char *)malloc(100);
  bm_fill(p, 100, 7);
  for (size_t n = 100; n < 3000; n += 37) {
    unsigned char *q = (unsigned char *)realloc(p, n);
    BM_CHECK(q != NULL);
    if (!q) return;
    size_t bad = bm_verify(q, 100, 7);
    BM_CHECKF(bad == (size_t)-1, "stepwise realloc to %zu lost byte %zu", n, bad);
    p = q;
  }
  unsigned char *same = (unsigned char *)realloc(p, 2990);
  BM_CHECK(same != NULL);
  if (same) BM_CHECK(bm_verify(same, 100, 7) == (size_t)-1);
  free(same);
}

static void sc_realloc_null(void) {
  void *p = realloc(NULL, bm_opaque_size(100));
  BM_CHECK(p != NULL);
  if (p) {
    BM_CHECK(malloc_usable_size(p) >= 100);
    memset(p, 1, 100);
  }
  free(p);
  void *big = realloc(NULL, bm_opaque_size(1u << 20));
  BM_CHECK(big != NULL);
  if (big) memset(big, 1, 1u << 20);
  free(big);
}

static void sc_realloc_zero(void) {
  /* glibc behaviour: realloc(p, 0) frees p and returns NULL. */
  void *p = malloc(100);
  BM_CHECK(p != NULL);
  void *r = realloc(p, bm_opaque_size(0));
  BM_CHECKF(r == NULL, "realloc(p, 0) returned %p, expected NULL", r);
  /* The freed chunk is the first candidate for the next request of its size. */
  void *again = malloc(100);
  BM_CHECKF(again == p, "realloc(p, 0) did not free p (malloc(100) = %p, p = %p)", again, p);
  free(again);
  /* For an mmapped chunk the mapping count goes back down. */
  struct mallinfo2 m0 = mallinfo2();
  void *big = malloc(bm_opaque_size(4u << 20));
  struct mallinfo2 m1 = mallinfo2();
  BM_CHECKF(m1.hblks == m0.hblks + 1, "hblks %zu -> %zu after a 4 MiB malloc", m0.hblks, m1.hblks);
  r = realloc(big, bm_opaque_size(0));
  BM_CHECK(r == NULL);
  struct mallinfo2 m2 = mallinfo2();
  BM_CHECKF(m2.hblks == m0.hblks, "hblks %zu after realloc(big, 0), expected %zu", m2.hblks, m0.hblks);
}

static void sc_realloc_huge(void) {
  static const size_t sizes[] = {100, 5000, 1u << 20};
  for (size_t s = 0; s < 3; ++s) {
    unsigned char *p = (unsigned char *)malloc(sizes[s]);
    BM_CHECK(p != NULL);
    if (!p) continue;
    bm_fill(p, sizes[s], 99);
    for (size_t i = 0; i < N_HUGE; ++i) {
      errno = 0;
      void *q = realloc(p, bm_opaque_size(kHuge[i]));
      BM_CHECKF(q == NULL, "realloc(p, %#zx) returned %p", kHuge[i], q);
      BM_CHECKF(errno == ENOMEM, "realloc(p, %#zx): errno %d, expected ENOMEM", kHuge[i], errno);
      if (q) {
        p = (unsigned char *)q;
        continue;
      }
    }
    BM_CHECKF(bm_verify(p, sizes[s], 99) == (size_t)-1, "failed realloc damaged the original block of %zu", sizes[s]);
    free(p);
  }
}

static void sc_reallocarray(void) {
  unsigned char *p = (unsigned char *)reallocarray(NULL, 4, 8);
  BM_CHECK(p != NULL);
  if (!p) return;
  bm_fill(p, 32, 5);
  unsigned char *q = (unsigned char *)reallocarray(p, 10, 1000);
  BM_CHECK(q != NULL);
  if (!q) return;
  BM_CHECK(bm_verify(q, 32, 5) == (size_t)-1);
  BM_CHECK(malloc_usable_size(q) >= 10000);
  p = q;
  static const size_t pairs[][2] = {
      {SIZE_MAX / 2 + 1, 2}, {2, SIZE_MAX / 2 + 1}, {(size_t)1 << 32, (size_t)1 << 32}, {SIZE_MAX, SIZE_MAX}};
  for (size_t i = 0; i < 4; ++i) {
    errno = 0;
    void *r = reallocarray(p, bm_opaque_size(pairs[i][0]), bm_opaque_size(pairs[i][1]));
    BM_CHECKF(r == NULL, "reallocarray(p, %#zx, %#zx) returned %p", pairs[i][0], pairs[i][1], r);
    BM_CHECKF(errno == ENOMEM, "reallocarray overflow: errno %d, expected ENOMEM", errno);
    if (r) p = (unsigned char *)r;
  }
  BM_CHECKF(bm_verify(p, 32, 5) == (size_t)-1, "failed reallocarray damaged the block");
  errno = 0;
  void *n = reallocarray(NULL, bm_opaque_size(SIZE_MAX / 2 + 1), 2);
  BM_CHECK(n == NULL && errno == ENOMEM);
  free(p);
}

/* ------------------------------------------------------------- alignment */

static void check_aligned(void *p, size_t align, size_t size, const char *fn) {
  BM_CHECKF(p != NULL, "%s(align %zu, size %zu) returned NULL", fn, align, size);
  if (!p) return;
  BM_CHECKF(((uintptr_t)p & (align - 1)) == 0, "%s(align %zu, size %zu) = %p misaligned", fn, align, size, p);
  size_t u = malloc_usable_size(p);
  BM_CHECKF(u >= size, "%s(align %zu, size %zu): usable %zu", fn, align, size, u);
  if (size) {
    memset(p, 0x3c, size);
  }
}

static void sc_aligned_entry_points(void) {
  static const size_t sizes[] = {1, 17, 100, 1000, 5000, 70000, 200000};
  void *keep[32];
  int nkeep = 0;
  for (size_t align = 16; align <= ((size_t)1 << 20); align <<= 1) {
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; ++s) {
      size_t size = sizes[s];
      void *a = memalign(align, bm_opaque_size(size));
      check_aligned(a, align, size, "memalign");
      void *b = NULL;
      int rc = posix_memalign(&b, align, bm_opaque_size(size));
      BM_CHECKF(rc == 0, "posix_memalign(align %zu, size %zu) returned %d", align, size, rc);
      if (rc == 0) check_aligned(b, align, size, "posix_memalign");
      void *c = aligned_alloc(align, bm_opaque_size(size));
      check_aligned(c, align, size, "aligned_alloc");
      /* Keep some alive so later requests work around them. */
      if (nkeep < 32 && (s & 1)) {
        keep[nkeep++] = a;
        a = NULL;
      }
      free(a);
      free(b);
      free(c);
    }
  }
  for (int i = 0; i < nkeep; ++i) free(keep[i]);
  /* Alignments below 16 still give malloc alignment. */
  for (size_t align = 1; align < 16; align <<= 1) {
    void *p = memalign(align, 24);
    check_aligned(p, 16, 24, "memalign(small alignment)");
    free(p);
  }
  void *q = NULL;
  int rc = posix_memalign(&q, sizeof(void *), 40);
  BM_CHECKF(rc == 0, "posix_memalign(&q, sizeof(void*), 40) returned %d", rc);
  if (rc == 0) check_aligned(q, sizeof(void *), 40, "posix_memalign");
  free(q);
  /* valloc / pvalloc: page alignment. */
  size_t pg = page_size();
  static const size_t vsizes[] = {1, 100, 4095, 4096, 4097, 10000, 200000, 1u << 20};
  for (size_t s = 0; s < sizeof vsizes / sizeof vsizes[0]; ++s) {
    size_t size = vsizes[s];
    void *v = valloc(bm_opaque_size(size));
    check_aligned(v, pg, size, "valloc");
    void *pv = pvalloc(bm_opaque_size(size));
    check_aligned(pv, pg, size, "pvalloc");
    size_t rounded = (size + pg - 1) & ~(pg - 1);
    if (pv) {
      size_t u = malloc_usable_size(pv);
      BM_CHECKF(u >= rounded, "pvalloc(%zu): usable %zu < page-rounded %zu", size, u, rounded);
      memset(pv, 0x11, rounded);
    }
    free(v);
    free(pv);
  }
  /* Size 0 through the aligned entry points: unique, freeable pointers. */
  {
    void *z1 = memalign(64, bm_opaque_size(0));
    void *z2 = aligned_alloc(64, bm_opaque_size(0));
    void *z3 = NULL;
    int zrc = posix_memalign(&z3, 64, bm_opaque_size(0));
    BM_CHECKF(z1 && z2 && zrc == 0 && z3, "size 0: memalign %p aligned_alloc %p posix_memalign %d/%p", z1, z2, zrc, z3);
    BM_CHECK(z1 != z2 && z2 != z3 && z1 != z3);
    free(z1);
    free(z2);
    free(z3);
  }
  void *pv0 = pvalloc(bm_opaque_size(0));
  BM_CHECK(pv0 != NULL);
  if (pv0) BM_CHECK(((uintptr_t)pv0 & (pg - 1)) == 0);
  free(pv0);
}

static void sc_aligned_huge(void) {
  for (size_t i = 0; i < N_HUGE; ++i) {
    size_t n = kHuge[i];
    errno = 0;
    void *a = memalign(64, bm_opaque_size(n));
    BM_CHECKF(a == NULL && errno == ENOMEM, "memalign(64, %#zx) = %p errno %d", n, a, errno);
    errno = 0;
    void *b = aligned_alloc(4096, bm_opaque_size(n));
    BM_CHECKF(b == NULL && errno == ENOMEM, "aligned_alloc(4096, %#zx) = %p errno %d", n, b, errno);
    void *c = (void *)0x1234;
    int rc = posix_memalign(&c, 1u << 20, bm_opaque_size(n));
    BM_CHECKF(rc == ENOMEM, "posix_memalign(1 MiB, %#zx) returned %d, expected ENOMEM", n, rc);
    BM_CHECKF(c == (void *)0x1234, "failed posix_memalign modified *memptr (%p)", c);
    errno = 0;
    void *d = valloc(bm_opaque_size(n));
    BM_CHECKF(d == NULL && errno == ENOMEM, "valloc(%#zx) = %p errno %d", n, d, errno);
    errno = 0;
    void *e = pvalloc(bm_opaque_size(n));
    BM_CHECKF(e == NULL && errno == ENOMEM, "pvalloc(%#zx) = %p errno %d", n, e, errno);
  }
}

static void sc_aligned_huge_alignment(void) {
  /* Valid (power of two) alignments far larger than any mapping. */
  static const size_t aligns[] = {(size_t)1 << 40, (size_t)1 << 62, (size_t)1 << 63};
  for (size_t i = 0; i < 3; ++i) {
    size_t al = aligns[i];
    errno = 0;
    void *a = memalign(bm_opaque_size(al), 16);
    BM_CHECKF(a == NULL && errno == ENOMEM, "memalign(%#zx, 16) = %p errno %d", al, a, errno);
    errno = 0;
    void *b = aligned_alloc(bm_opaque_size(al), 16);
    BM_CHECKF(b == NULL && errno == ENOMEM, "aligned_alloc(%#zx, 16) = %p errno %d", al, b, errno);
    void *c = (void *)0x1234;
    int rc = posix_memalign(&c, bm_opaque_size(al), 16);
    BM_CHECKF(rc == ENOMEM, "posix_memalign(%#zx, 16) returned %d, expected ENOMEM", al, rc);
    BM_CHECKF(c == (void *)0x1234, "failed posix_memalign modified *memptr (%p)", c);
  }
  void *ok = memalign(1u << 22, 100); /* 4 MiB alignment still works */
  BM_CHECK(ok != NULL && ((uintptr_t)ok & ((1u << 22) - 1)) == 0);
  free(ok);
}

static void sc_posix_memalign_einval(void) {
  static const size_t bad[] = {0, 1, 2, 3, 4, 6, 12, 24, 40, 48, 100, 1000, 4097, 3u << 10, SIZE_MAX, SIZE_MAX - 7};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
    void *sentinel = (void *)0x5e57;
    void *p = sentinel;
    int rc = posix_memalign(&p, bm_opaque_size(bad[i]), 64);
    BM_CHECKF(rc == EINVAL, "posix_memalign(align %#zx) returned %d, expected EINVAL", bad[i], rc);
    BM_CHECKF(p == sentinel, "posix_memalign(align %#zx) modified *memptr to %p", bad[i], p);
    if (rc == 0 && p != sentinel) free(p);
  }
}

static void sc_aligned_alloc_einval(void) {
  /* glibc before 2.38 accepted (rounded up) bad alignments here; the
   * requirement follows glibc 2.38+. */
  if (!bm_expect_binmalloc()) {
    int maj = 0, min = 0;
    sscanf(gnu_get_libc_version(), "%d.%d", &maj, &min);
    if (maj == 2 && min < 38) {
      printf("SKIP: glibc %s accepts non-power-of-two alignments in aligned_alloc\n", gnu_get_libc_version());
      return;
    }
  }
  static const size_t bad[] = {0, 3, 5, 24, 48, 100, 1000, 4097, (SIZE_MAX / 2) + 2};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
    errno = 0;
    void *p = aligned_alloc(bm_opaque_size(bad[i]), 64);
    BM_CHECKF(p == NULL, "aligned_alloc(align %#zx, 64) returned %p", bad[i], p);
    BM_CHECKF(errno == EINVAL, "aligned_alloc(align %#zx): errno %d, expected EINVAL", bad[i], errno);
    if (p) free(p);
  }
}

/* ------------------------------------------------------------ usable size */

/* The chunk size malloc(n) gets: ptmalloc's request2size, except that
 * binmalloc's cache rounds requests from 4105 bytes up to its largest
 * (tcache_large_max_bytes, 32760 by default) to one of eight sizes per
 * doubling (4608, 5120, ..., 8192, 9216, ...). */
static size_t expected_chunk_size(size_t n) {
  size_t nb = bm_request2size(n);
  if (!bm_expect_binmalloc() || nb <= 4112) return nb;
  void *sym = dlsym(RTLD_DEFAULT, "binmalloc_stats_ex");
  if (sym == NULL) return nb;
  void (*stats)(struct binmalloc_stats_ex *);
  memcpy(&stats, &sym, sizeof stats);
  struct binmalloc_stats_ex s;
  stats(&s);
  if (s.tcache_large_max_bytes <= 4104 || nb > s.tcache_large_max_bytes + 8) return nb;
  size_t base = 4096;
  while (nb > 2 * base) base *= 2;
  size_t step = base / 8;
  return base + (nb - base + step - 1) / step * step;
}

static void sc_usable_size(void) {
  BM_CHECK(malloc_usable_size(NULL) == 0);
  for (size_t n = 0; n <= 70000; n += (n < 4200 ? 1 : 997)) {
    void *p = malloc(bm_opaque_size(n));
    BM_CHECK(p != NULL);
    if (!p) continue;
    size_t u = malloc_usable_size(p);
    size_t cs = bm_chunk_size(p);
    BM_CHECKF(!bm_is_mmapped(p), "malloc(%zu) is mmapped", n);
    BM_CHECKF(cs == expected_chunk_size(n), "malloc(%zu): chunk size %zu, expected %zu", n, cs, expected_chunk_size(n));
    BM_CHECKF(u == cs - 8, "malloc_usable_size(malloc(%zu)) = %zu, expected chunk size %zu - 8", n, u, cs);
    BM_CHECK(u >= n);
    memset(p, 0x77, u); /* the whole usable area is ours */
    free(p);
  }
  static const size_t big[] = {200000, 1u << 20, (1u << 20) + 1, 3000000, 16u << 20};
  for (size_t i = 0; i < sizeof big / sizeof big[0]; ++i) {
    size_t n = big[i];
    void *p = malloc(bm_opaque_size(n));
    BM_CHECK(p != NULL);
    if (!p) continue;
    size_t u = malloc_usable_size(p);
    size_t cs = bm_chunk_size(p);
    BM_CHECKF(bm_is_mmapped(p), "malloc(%zu) (over the mmap threshold) has no IS_MMAPPED bit", n);
    BM_CHECKF(u == cs - 16, "mmapped malloc(%zu): usable %zu, expected chunk size %zu - 16", n, u, cs);
    BM_CHECKF(((cs + bm_hdr(p)[0]) & (kPage - 1)) == 0, "mmapped chunk size %zu + pad %zu not page-aligned", cs,
              bm_hdr(p)[0]);
    BM_CHECK(u >= n);
    memset(p, 0x77, u);
    /* Do not free: freeing raises ptmalloc's dynamic mmap threshold. */
  }
  /* Aligned allocations follow the same rule. */
  for (size_t align = 32; align <= ((size_t)1 << 20); align <<= 1) {
    static const size_t asz[] = {1, 300, 5000, 300000};
    for (size_t k = 0; k < 4; ++k) {
      void *p = memalign(align, bm_opaque_size(asz[k]));
      BM_CHECK(p != NULL);
      if (!p) continue;
      size_t u = malloc_usable_size(p);
      size_t cs = bm_chunk_size(p);
      size_t expect = bm_is_mmapped(p) ? cs - 16 : cs - 8;
      BM_CHECKF(u == expect && u >= asz[k], "memalign(%zu, %zu): usable %zu, chunk size %zu%s", align, asz[k], u, cs,
                bm_is_mmapped(p) ? " (mmapped)" : "");
      memset(p, 0x66, u);
      free(p);
    }
  }
}

/* ------------------------------------------------------------- free/errno */

static void sc_free_null(void) {
  errno = 4321;
  for (int i = 0; i < 10; ++i) free(NULL);
  BM_CHECKF(errno == 4321, "free(NULL) changed errno to %d", errno);
  BM_CHECK(malloc_usable_size(NULL) == 0);
}

static void free_keeps_errno(void *p, const char *what) {
  errno = 1234;
  free(p);
  BM_CHECKF(errno == 1234, "free(%s) changed errno to %d", what, errno);
}

static void sc_free_errno(void) {
  /* tcache */
  free_keeps_errno(malloc(32), "tcache chunk");
  /* fastbin: fill the tcache first */
  void *f[10];
  for (int i = 0; i < 10; ++i) f[i] = malloc(40);
  for (int i = 0; i < 10; ++i) free_keeps_errno(f[i], "fastbin-size chunk");
  /* small / large normal chunks, with a neighbour to merge with */
  void *a = malloc(3000), *b = malloc(3000), *g = malloc(16);
  free_keeps_errno(a, "large chunk");
  free_keeps_errno(b, "large chunk merged backward");
  free_keeps_errno(g, "chunk merging into top");
  /* mmapped chunks (several sizes) */
  free_keeps_errno(malloc(bm_opaque_size(200000)), "mmapped chunk 200000");
  free_keeps_errno(malloc(bm_opaque_size(8u << 20)), "mmapped chunk 8 MiB");
  free_keeps_errno(memalign(1u << 16, bm_opaque_size(1u << 20)), "aligned mmapped chunk");
  free_keeps_errno(malloc(bm_opaque_size(40u << 20)), "mmapped chunk 40 MiB");
  /* a free that trims the heap top */
  void *big[40];
  for (int i = 0; i < 40; ++i) big[i] = malloc(30000);
  for (int i = 39; i >= 0; --i) free_keeps_errno(big[i], "chunk triggering trim");
  /* aligned heap chunks */
  for (size_t al = 32; al <= 4096; al <<= 1) free_keeps_errno(memalign(al, 500), "memalign chunk");
}

/* --------------------------------------------------------------- mallopt */

static void sc_mallopt(void) {
  struct {
    int param;
    int value;
    const char *name;
  } good[] = {
      {M_MXFAST, 64, "M_MXFAST 64"},
      {M_MXFAST, 0, "M_MXFAST 0"},
      {M_MXFAST, 160, "M_MXFAST 160"},
      {M_MXFAST, 128, "M_MXFAST 128"},
      {M_TRIM_THRESHOLD, 256 * 1024, "M_TRIM_THRESHOLD"},
      {M_TOP_PAD, 64 * 1024, "M_TOP_PAD"},
      {M_MMAP_THRESHOLD, 256 * 1024, "M_MMAP_THRESHOLD"},
      {M_MMAP_MAX, 65536, "M_MMAP_MAX"},
      {M_PERTURB, 0, "M_PERTURB"},
      {M_ARENA_TEST, 8, "M_ARENA_TEST"},
      {M_ARENA_MAX, 4, "M_ARENA_MAX"},
  };
  BM_CHECK(M_MXFAST == 1 && M_TRIM_THRESHOLD == -1 && M_TOP_PAD == -2 && M_MMAP_THRESHOLD == -3 && M_MMAP_MAX == -4 &&
           M_PERTURB == -6 && M_ARENA_TEST == -7 && M_ARENA_MAX == -8);
  for (size_t i = 0; i < sizeof good / sizeof good[0]; ++i) {
    int rc = mallopt(good[i].param, good[i].value);
    BM_CHECKF(rc == 1, "mallopt(%s) returned %d, expected 1", good[i].name, rc);
    /* allocator keeps working after each change */
    void *p[20];
    for (int k = 0; k < 20; ++k) {
      p[k] = malloc((size_t)k * 97 + 1);
      BM_CHECK(p[k] != NULL);
    }
    void *big = malloc(300000);
    BM_CHECK(big != NULL);
    free(big);
    for (int k = 0; k < 20; ++k) free(p[k]);
  }
  int rc = mallopt(M_MXFAST, 1000);
  BM_CHECKF(rc == 0, "mallopt(M_MXFAST, 1000) returned %d, expected 0", rc);
  rc = mallopt(M_MXFAST, 161);
  BM_CHECKF(rc == 0, "mallopt(M_MXFAST, 161) returned %d, expected 0", rc);
  rc = mallopt(M_MXFAST, -1);
  BM_CHECKF(rc == 0, "mallopt(M_MXFAST, -1) returned %d, expected 0", rc);
}

/* --------------------------------------------------------------- perturb */

/* Run with the tcache disabled (the driver sets the tunables), so that every
 * malloc/free goes through the arena where perturbation applies. */
static void sc_perturb(void) {
  const int byte = 0xab;
  int rc = mallopt(M_PERTURB, byte);
  BM_CHECKF(rc == 1, "mallopt(M_PERTURB, 0xab) returned %d", rc);
  static const size_t sizes[] = {40, 100, 200, 1000, 3000, 20000};
  for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; ++s) {
    size_t n = sizes[s];
    /* New memory is filled with byte ^ 0xff. */
    unsigned char *p = (unsigned char *)malloc(n);
    BM_CHECK(p != NULL);
    if (!p) continue;
    for (size_t i = 0; i < n; ++i) {
      if (p[i] != (unsigned char)(byte ^ 0xff)) {
        bm_fail(__FILE__, __LINE__, "malloc(%zu) byte %zu is %#x, expected %#x under M_PERTURB", n, i, p[i],
                byte ^ 0xff);
        break;
      }
    }
    memset(p, 0, n);
    void *guard = malloc(32); /* keep p away from top */
    /* Freed memory is filled with byte (past the free-list links at the
     * start and the boundary tag at the end). */
    volatile unsigned char *vp = (volatile unsigned char *)bm_launder(p);
    free(p);
    for (size_t i = 32; i + 16 < n; ++i) {
      if (vp[i] != (unsigned char)byte) {
        bm_fail(__FILE__, __LINE__, "freed block of %zu: byte %zu is %#x, expected %#x", n, i, vp[i], byte);
        break;
      }
    }
    free(guard);
  }
  /* calloc still returns zeros. */
  for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; ++s) {
    unsigned char *c = (unsigned char *)calloc(1, sizes[s]);
    size_t where = 0;
    BM_CHECK(c != NULL);
    if (c)
      BM_CHECKF(all_zero(c, sizes[s], &where), "calloc(%zu) under M_PERTURB: byte %zu = %#x", sizes[s], where,
                c[where]);
    free(c);
  }
}

/* ------------------------------------------------------------- mallinfo2 */

static void sc_mallinfo2(void) {
  /* Warm up: per-thread caches are set up on first use and count as used
   * memory; keep that out of the measured differences. */
  free(bm_launder(malloc(16)));
  struct mallinfo2 m0 = mallinfo2();
  void *p = malloc(bm_opaque_size(10000));
  BM_CHECK(p != NULL);
  struct mallinfo2 m1 = mallinfo2();
  BM_CHECKF(m1.uordblks >= m0.uordblks + 10000, "uordblks %zu -> %zu after malloc(10000)", m0.uordblks, m1.uordblks);
  BM_CHECK(m1.arena > 0);
  BM_CHECKF(m1.arena == m1.uordblks + m1.fordblks, "arena %zu != uordblks %zu + fordblks %zu", m1.arena, m1.uordblks,
            m1.fordblks);
  void *big = malloc(bm_opaque_size(4u << 20));
  BM_CHECK(big != NULL);
  struct mallinfo2 m2 = mallinfo2();
  BM_CHECKF(m2.hblks == m1.hblks + 1, "hblks %zu -> %zu after a 4 MiB malloc", m1.hblks, m2.hblks);
  BM_CHECKF(m2.hblkhd >= m1.hblkhd + (4u << 20), "hblkhd %zu -> %zu after a 4 MiB malloc", m1.hblkhd, m2.hblkhd);
  free(big);
  struct mallinfo2 m3 = mallinfo2();
  BM_CHECKF(m3.hblks == m1.hblks, "hblks %zu after freeing the 4 MiB block, expected %zu", m3.hblks, m1.hblks);
  BM_CHECKF(m3.hblkhd == m1.hblkhd, "hblkhd %zu after freeing, expected %zu", m3.hblkhd, m1.hblkhd);
  void *guard = malloc(64);
  free(p);
  struct mallinfo2 m4 = mallinfo2();
  BM_CHECKF(m4.uordblks + 10000 <= m3.uordblks + 64 + 32, "uordblks %zu -> %zu after free(10000-byte block)",
            m3.uordblks, m4.uordblks);
  BM_CHECKF(m4.fordblks >= 10000, "fordblks %zu after freeing a 10000-byte block", m4.fordblks);
  /* Fast chunks show up in smblks/fsmblks once the tcache is full. */
  void *f[12];
  for (int i = 0; i < 12; ++i) f[i] = malloc(24);
  void *g2 = malloc(24);
  for (int i = 0; i < 12; ++i) free(f[i]);
  struct mallinfo2 m5 = mallinfo2();
  BM_CHECKF(m5.smblks >= 1 && m5.fsmblks >= 32, "smblks %zu fsmblks %zu after freeing 12 fast chunks", m5.smblks,
            m5.fsmblks);
  free(g2);
  free(guard);
}

/* -------------------------------------------------- malloc_stats / _info */

static void sc_malloc_stats(void) {
  void *p = malloc(1000);
  malloc_stats(); /* writes to stderr; the driver checks it */
  free(p);
}

static void sc_malloc_info(void) {
  void *p = malloc(1000);
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  BM_CHECK(f != NULL);
  if (!f) return;
  int rc = malloc_info(0, f);
  BM_CHECKF(rc == 0, "malloc_info(0, f) returned %d", rc);
  fflush(f);
  const char *s = buf ? buf : "";
  while (*s == ' ' || *s == '\n' || *s == '\t') ++s;
  BM_CHECKF(strncmp(s, "<malloc", 7) == 0, "malloc_info output does not start with <malloc: %.40s", s);
  BM_CHECKF(strstr(s, "</malloc>") != NULL, "malloc_info output has no </malloc>");
  /* Per-arena sections are balanced. */
  size_t open_heaps = 0, close_heaps = 0;
  for (const char *q = s; (q = strstr(q, "<heap")) != NULL; ++q) ++open_heaps;
  for (const char *q = s; (q = strstr(q, "</heap>")) != NULL; ++q) ++close_heaps;
  BM_CHECKF(open_heaps == close_heaps, "malloc_info: %zu <heap> but %zu </heap>", open_heaps, close_heaps);
  fclose(f);
  free(buf);
  buf = NULL;
  len = 0;
  f = open_memstream(&buf, &len);
  errno = 0;
  rc = malloc_info(1, f);
  int saved = errno;
  fflush(f);
  /* "fails with EINVAL": either the return value or errno carries it. */
  BM_CHECKF(rc == EINVAL || (rc == -1 && saved == EINVAL),
            "malloc_info(1, f) returned %d (errno %d), expected failure with EINVAL", rc, saved);
  BM_CHECKF(len == 0, "malloc_info(1, f) wrote %zu bytes", len);
  fclose(f);
  free(buf);
  free(p);
}

/* ----------------------------------------------------------- malloc_trim */

static long rss_pages(void) {
  FILE *f = fopen("/proc/self/statm", "r");
  if (!f) return -1;
  long size = 0, resident = -1;
  if (fscanf(f, "%ld %ld", &size, &resident) != 2) resident = -1;
  fclose(f);
  return resident;
}

static void sc_malloc_trim(void) {
  enum { N = 16000, SZ = 4000 }; /* about 64 MiB in non-tcache, non-fast chunks */
  static void *p[N];
  for (int i = 0; i < N; ++i) {
    p[i] = malloc(SZ);
    if (!p[i]) {
      bm_fail(__FILE__, __LINE__, "malloc failed");
      return;
    }
    memset(p[i], 0x42, SZ);
  }
  long before_free = rss_pages();
  /* Keep the last block: it pins the top so free alone cannot give the
   * memory back. */
  for (int i = 0; i < N - 1; ++i) free(p[i]);
  long after_free = rss_pages();
  int rc = malloc_trim(0);
  long after_trim = rss_pages();
  long pg = (long)page_size();
  printf("rss pages: allocated %ld, after free %ld, after malloc_trim %ld (rc %d)\n", before_free, after_free,
         after_trim, rc);
  BM_CHECK(before_free > 0 && after_trim >= 0);
  long dropped = after_free - after_trim;
  BM_CHECKF(dropped * pg >= 32L * 1024 * 1024,
            "malloc_trim(0) released only %ld KiB of RSS (after free %ld pages, after trim %ld)", dropped * pg / 1024,
            after_free, after_trim);
  BM_CHECKF(rc == 1, "malloc_trim(0) returned %d although memory was released", rc);
  free(p[N - 1]);
  /* Still works afterwards, and trimming with nothing to release is ok. */
  void *q = malloc(100000);
  BM_CHECK(q != NULL);
  free(q);
  (void)malloc_trim(0);
  (void)malloc_trim(1u << 20);
}

/* --------------------------------------------------------- out of memory */

static size_t vm_bytes(void) {
  FILE *f = fopen("/proc/self/statm", "r");
  if (!f) return 0;
  unsigned long size = 0;
  if (fscanf(f, "%lu", &size) != 1) size = 0;
  fclose(f);
  return (size_t)size * page_size();
}

/* Allocates blocks of `size` until the allocator fails; the blocks are
 * chained through their first word.  Returns the chain. */
static void *exhaust(size_t size, size_t *count, int *err) {
  void *head = NULL;
  *count = 0;
  *err = 0;
  for (;;) {
    errno = 0;
    void **p = (void **)malloc(size);
    if (!p) {
      *err = errno;
      break;
    }
    *p = head;
    head = p;
    ++*count;
  }
  return head;
}

static void release(void *head) {
  while (head) {
    void *next = *(void **)head;
    free(head);
    head = next;
  }
}

/* Under an address-space limit every size class runs dry: malloc returns
 * NULL with ENOMEM (no crash, no abort), and once memory is released the
 * allocator works again. */
static void sc_out_of_memory(void) {
  struct rlimit old;
  if (getrlimit(RLIMIT_AS, &old) != 0) {
    bm_fail(__FILE__, __LINE__, "getrlimit failed");
    return;
  }
  /* Warm up stdio and the allocator before the limit. */
  printf("vm before limit: %zu KiB\n", vm_bytes() / 1024);
  fflush(stdout);
  struct rlimit lim = old;
  lim.rlim_cur = vm_bytes() + ((size_t)96 << 20);
  if (setrlimit(RLIMIT_AS, &lim) != 0) {
    bm_fail(__FILE__, __LINE__, "setrlimit failed");
    return;
  }
  static const size_t sizes[] = {1u << 20, 200000, 4000, 500, 40};
  void *chains[5];
  size_t counts[5];
  for (int k = 0; k < 5; ++k) {
    int err = 0;
    chains[k] = exhaust(sizes[k], &counts[k], &err);
    BM_CHECKF(err == ENOMEM, "malloc(%zu) failed with errno %d, expected ENOMEM", sizes[k], err);
  }
  BM_CHECKF(counts[0] >= 32, "only %zu 1 MiB blocks under a 96 MiB margin", counts[0]);
  /* Other entry points fail cleanly too. */
  errno = 0;
  void *c = calloc(1, 1u << 20);
  BM_CHECKF(c == NULL && errno == ENOMEM, "calloc at OOM = %p errno %d", c, errno);
  errno = 0;
  void *m = memalign(4096, 1u << 20);
  BM_CHECKF(m == NULL && errno == ENOMEM, "memalign at OOM = %p errno %d", m, errno);
  void *pm = NULL;
  int rc = posix_memalign(&pm, 4096, 1u << 20);
  BM_CHECKF(rc == ENOMEM, "posix_memalign at OOM returned %d", rc);
  /* realloc growth failure keeps the block. */
  unsigned char *keep = (unsigned char *)chains[3];
  if (keep) {
    chains[3] = *(void **)keep;
    bm_fill(keep + 8, 492, 42);
    errno = 0;
    void *r = realloc(keep, 8u << 20);
    BM_CHECKF(r == NULL && errno == ENOMEM, "realloc growth at OOM = %p errno %d", r, errno);
    if (r) keep = (unsigned char *)r;
    BM_CHECKF(bm_verify(keep + 8, 492, 42) == (size_t)-1, "failed realloc damaged the block");
    free(keep);
  }
  for (int k = 0; k < 5; ++k) release(chains[k]);
  /* Everything works again, still under the limit. */
  for (int k = 0; k < 5; ++k) {
    size_t n = 0;
    int err = 0;
    void *again = exhaust(sizes[k], &n, &err);
    BM_CHECKF(n * sizes[k] >= ((size_t)16 << 20) || n >= 1000,
              "after release only %zu blocks of %zu could be allocated", n, sizes[k]);
    release(again);
  }
  bm_check_heap("after out of memory");
  setrlimit(RLIMIT_AS, &old);
  void *big = malloc(64u << 20);
  BM_CHECK(big != NULL);
  free(big);
}

/* ------------------------------------------------------- interposition */

static void sc_interposed_symbols(void) {
  if (!bm_expect_binmalloc()) {
    printf("SKIP: not running under binmalloc\n");
    return;
  }
  static const char *const names[] = {
      "malloc",         "free",          "calloc",       "realloc",     "reallocarray",        "memalign",
      "posix_memalign", "aligned_alloc", "valloc",       "pvalloc",     "malloc_usable_size",  "malloc_trim",
      "mallopt",        "mallinfo2",     "malloc_stats", "malloc_info", "binmalloc_check_heap"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; ++i) bm_check_symbol_interposed(names[i]);
}

/* ------------------------------------------------------------ random ops */

static uint64_t xorshift(uint64_t *s) {
  uint64_t x = *s;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  return *s = x;
}

static size_t random_size(uint64_t *s) {
  uint64_t r = xorshift(s) % 100;
  if (r < 50) return xorshift(s) % 130;          /* tcache / fastbin sizes */
  if (r < 80) return 130 + xorshift(s) % 1000;   /* small bins */
  if (r < 99) return 1100 + xorshift(s) % 30000; /* large bins */
  return 100000 + xorshift(s) % 400000;          /* around the mmap threshold */
}

/* Sparse patterns keep the long run cheap: the first SP_HEAD and the last
 * SP_TAIL bytes of each block carry the pattern. */
enum { SP_HEAD = 1024, SP_TAIL = 128 };

static void fill_sparse(unsigned char *p, size_t n, size_t seed) {
  size_t head = n < SP_HEAD ? n : SP_HEAD;
  bm_fill(p, head, seed);
  size_t tail = n > SP_HEAD + SP_TAIL ? n - SP_TAIL : head;
  for (size_t i = tail; i < n; ++i) p[i] = bm_pattern_byte(seed, i);
}

/* Checks the pattern of a block filled with n_filled bytes, of which the
 * first n_valid are still expected; returns the first bad index or -1. */
static size_t verify_sparse(const unsigned char *p, size_t n_valid, size_t n_filled, size_t seed) {
  size_t head = n_valid < SP_HEAD ? n_valid : SP_HEAD;
  size_t bad = bm_verify(p, head, seed);
  if (bad != (size_t)-1) return bad;
  size_t tail = n_filled > SP_HEAD + SP_TAIL ? n_filled - SP_TAIL : head;
  if (tail < head) tail = head;
  for (size_t i = tail; i < n_valid; ++i)
    if (p[i] != bm_pattern_byte(seed, i)) return i;
  return (size_t)-1;
}

/* A long random sequence of every allocation call on a shadow model: each
 * live block carries a pattern checked before it is resized or freed, and the
 * heap is checked periodically. */
static void sc_random_ops(void) {
  enum { SLOTS = 2000, OPS = 120000 };
  static unsigned char *ptr[SLOTS];
  static size_t len[SLOTS], seed[SLOTS];
  uint64_t s = 0x5eed1234abcdull;
  size_t next_seed = 1;
  for (int op = 0; op < OPS && bm_failures < 10; ++op) {
    size_t i = (size_t)(xorshift(&s) % SLOTS);
    if (ptr[i]) {
      size_t bad = verify_sparse(ptr[i], len[i], len[i], seed[i]);
      BM_CHECKF(bad == (size_t)-1, "op %d: block of %zu (seed %zu) corrupted at %zu", op, len[i], seed[i], bad);
    }
    uint64_t kind = xorshift(&s) % 10;
    if (ptr[i] && kind < 4) {
      free(ptr[i]);
      ptr[i] = NULL;
      continue;
    }
    if (ptr[i] && kind < 7) {
      size_t n = random_size(&s);
      unsigned char *q = (unsigned char *)realloc(ptr[i], n);
      if (n == 0) {
        BM_CHECK(q == NULL); /* realloc(p, 0) frees */
        ptr[i] = NULL;
        continue;
      }
      BM_CHECKF(q != NULL, "op %d: realloc to %zu failed", op, n);
      if (!q) continue;
      size_t keep = n < len[i] ? n : len[i];
      size_t bad = verify_sparse(q, keep, len[i], seed[i]);
      BM_CHECKF(bad == (size_t)-1, "op %d: realloc %zu -> %zu lost byte %zu", op, len[i], n, bad);
      ptr[i] = q;
      len[i] = n;
      seed[i] = next_seed++;
      fill_sparse(q, n, seed[i]);
      continue;
    }
    if (ptr[i]) free(ptr[i]);
    size_t n = random_size(&s);
    unsigned char *p;
    uint64_t how = xorshift(&s) % 6;
    if (how == 0) {
      p = (unsigned char *)calloc(1, n);
      if (p) {
        size_t where = 0;
        BM_CHECKF(all_zero(p, n, &where), "op %d: calloc(%zu) byte %zu not zero", op, n, where);
      }
    } else if (how == 1) {
      p = (unsigned char *)memalign((size_t)32 << (xorshift(&s) % 8), n);
    } else {
      p = (unsigned char *)malloc(n);
    }
    BM_CHECKF(p != NULL, "op %d: allocation of %zu failed", op, n);
    ptr[i] = p;
    len[i] = p ? n : 0;
    seed[i] = next_seed++;
    if (p) {
      BM_CHECKF(malloc_usable_size(p) >= n, "op %d: usable %zu < %zu", op, malloc_usable_size(p), n);
      fill_sparse(p, n, seed[i]);
    }
    if (op % 20000 == 0) bm_check_heap("random ops");
  }
  for (size_t i = 0; i < SLOTS; ++i) {
    if (!ptr[i]) continue;
    BM_CHECK(verify_sparse(ptr[i], len[i], len[i], seed[i]) == (size_t)-1);
    free(ptr[i]);
  }
  (void)malloc_trim(0);
}

/* ------------------------------------------------------------------ main */

struct scenario {
  const char *name;
  void (*fn)(void);
};

static const struct scenario kScenarios[] = {
    {"malloc_zero", sc_malloc_zero},
    {"malloc_huge", sc_malloc_huge},
    {"malloc_sizes", sc_malloc_sizes},
    {"calloc_overflow", sc_calloc_overflow},
    {"calloc_zeroed", sc_calloc_zeroed},
    {"realloc_content", sc_realloc_content},
    {"realloc_null", sc_realloc_null},
    {"realloc_zero", sc_realloc_zero},
    {"realloc_huge", sc_realloc_huge},
    {"reallocarray", sc_reallocarray},
    {"aligned_entry_points", sc_aligned_entry_points},
    {"aligned_huge", sc_aligned_huge},
    {"aligned_huge_alignment", sc_aligned_huge_alignment},
    {"posix_memalign_einval", sc_posix_memalign_einval},
    {"aligned_alloc_einval", sc_aligned_alloc_einval},
    {"usable_size", sc_usable_size},
    {"free_null", sc_free_null},
    {"free_errno", sc_free_errno},
    {"mallopt", sc_mallopt},
    {"perturb", sc_perturb},
    {"mallinfo2", sc_mallinfo2},
    {"malloc_stats", sc_malloc_stats},
    {"malloc_info", sc_malloc_info},
    {"malloc_trim", sc_malloc_trim},
    {"random_ops", sc_random_ops},
    {"out_of_memory", sc_out_of_memory},
    {"interposed_symbols", sc_interposed_symbols},
};

static void *run_in_thread(void *fn) {
  void (*f)(void);
  memcpy(&f, &fn, sizeof f);
  f();
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 2 && !(argc == 3 && strcmp(argv[2], "--in-thread") == 0)) {
    fprintf(stderr, "usage: %s <scenario> [--in-thread] | --list\n", argv[0]);
    return 2;
  }
  for (size_t i = 0; i < sizeof kScenarios / sizeof kScenarios[0]; ++i) {
    if (strcmp(argv[1], "--list") == 0) {
      printf("%s\n", kScenarios[i].name);
      continue;
    }
    if (strcmp(argv[1], kScenarios[i].name) == 0) {
      if (argc == 3) {
        /* In a second thread, which gets an arena of its own (not the main
         * arena) while the main thread holds a block in the main arena. */
        void *mine = malloc(100);
        pthread_t th;
        void *fn;
        void (*f)(void) = kScenarios[i].fn;
        memcpy(&fn, &f, sizeof fn);
        if (pthread_create(&th, NULL, run_in_thread, fn) != 0) {
          fprintf(stderr, "FAIL: pthread_create\n");
          return 1;
        }
        pthread_join(th, NULL);
        free(mine);
      } else {
        kScenarios[i].fn();
      }
      return bm_finish();
    }
  }
  if (strcmp(argv[1], "--list") == 0) return 0;
  fprintf(stderr, "unknown scenario %s\n", argv[1]);
  return 2;
}
