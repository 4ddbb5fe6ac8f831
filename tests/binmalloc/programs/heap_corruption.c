/* Crafted heap corruptions, one per scenario.  Each scenario must end in an
 * allocator abort (SIGABRT with a diagnostic on stderr).  If the allocator
 * does not notice, the program prints "NOT DETECTED: <scenario>" on stderr
 * and exits with status 3.  Crafting preconditions that do not hold print
 * "CRAFT FAILED: ..." and exit with status 4.
 *
 * Layout assumptions (ptmalloc, 64-bit): header = prev_size, size|flags;
 * user pointer = chunk + 16; tcache/fastbin next pointers are stored at user
 * offset 0, protected as (slot_address >> 12) ^ pointer.
 *
 * The driver disables the tcache for the scenarios that need fastbin or bin
 * paths (BINMALLOC_TCACHE_COUNT=0 and glibc.malloc.tcache_count=0); where it
 * matters the scenario also fills the tcache so it works either way. */
#define _GNU_SOURCE 1
#include <malloc.h>
#include <pthread.h>

#include "bm_prog.h"

#define L(p) bm_launder((void *)(p))

static void not_detected(const char *name) {
  fprintf(stderr, "NOT DETECTED: %s\n", name);
  fflush(stderr);
  _exit(3);
}

static void craft_failed(const char *why) {
  fprintf(stderr, "CRAFT FAILED: %s\n", why);
  fflush(stderr);
  _exit(4);
}

/* Fill the tcache bin of `size` (7 entries) so the next free of that size
 * bypasses it.  Harmless when the tcache is disabled. */
static void fill_tcache(size_t size) {
  void *p[7];
  for (int i = 0; i < 7; ++i) p[i] = malloc(size);
  for (int i = 0; i < 7; ++i) free(p[i]);
}

/* A fake chunk header far away from the heap, zero-filled so that its fd/bk
 * never point back at anything. */
static size_t g_fake[8] __attribute__((aligned(16)));

/* ------------------------------------------------------------ scenarios */

static void sc_tcache_double_free(void) {
  void *p = malloc(40);
  free(p);
  free(L(p));
}

static void sc_fasttop(void) {
  void *a = malloc(40);
  void *guard = malloc(40);
  (void)guard;
  fill_tcache(40);
  free(a);
  free(L(a));
}

static void sc_double_free_top(void) {
  /* A chunk bordering the top chunk merges into it when freed; freeing it
   * again frees the top chunk itself. */
  void *p = malloc(3000);
  size_t *top_hdr = (size_t *)((char *)p - 16 + bm_chunk_size(p));
  if ((top_hdr[1] & ~(size_t)7) < 4096) craft_failed("top chunk does not follow the block");
  free(p);
  free(L(p));
}

static void sc_double_free_out(void) {
  /* The size field claims a chunk extending past the end of the top chunk. */
  void *p = malloc(3000);
  void *guard = malloc(3000);
  (void)guard;
  bm_hdr(p)[1] = ((size_t)64 << 20) | 1; /* 64 MiB, PREV_INUSE */
  free(L(p));
}

static void sc_double_free_prev(void) {
  /* Plain double free of a chunk that sits in the unsorted bin: the next
   * chunk's PREV_INUSE bit is already clear. */
  void *p = malloc(3000);
  void *guard = malloc(3000);
  (void)guard;
  free(p);
  free(L(p));
}

static void sc_invalid_pointer(void) {
  char *p = (char *)malloc(64);
  memset(p, 0, 64);
  free(L(p + 8)); /* misaligned chunk address */
}

static void sc_invalid_size(void) {
  void *p = malloc(40);
  void *guard = malloc(40);
  (void)guard;
  bm_hdr(p)[1] = 0x10 | 1; /* below the 32-byte minimum */
  free(L(p));
}

static void sc_invalid_next_size_fast(void) {
  void *p = malloc(40); /* 48-byte chunk: fastbin */
  void *next = malloc(40);
  if ((char *)next != (char *)p + bm_chunk_size(p)) craft_failed("blocks are not adjacent");
  fill_tcache(40);
  bm_hdr(next)[1] = 1; /* next chunk size 0 */
  free(L(p));
}

static void sc_invalid_next_size_normal(void) {
  void *p = malloc(3000);
  void *next = malloc(3000);
  if ((char *)next != (char *)p + bm_chunk_size(p)) craft_failed("blocks are not adjacent");
  bm_hdr(next)[1] = 1; /* next chunk size 0, PREV_INUSE */
  free(L(p));
}

static void sc_size_vs_prev_size(void) {
  /* b is free; its boundary tag (c's prev_size) is changed, then freeing a
   * merges forward into b and unlinks it. */
  void *a = malloc(3000);
  void *b = malloc(3000);
  void *c = malloc(3000);
  if ((char *)b != (char *)a + bm_chunk_size(a) || (char *)c != (char *)b + bm_chunk_size(b))
    craft_failed("blocks are not adjacent");
  size_t bsize = bm_chunk_size(b);
  free(b);
  size_t *c_hdr = bm_hdr(L(c));
  if (c_hdr[0] != bsize) craft_failed("boundary tag of the freed chunk not found");
  c_hdr[0] = bsize + 16;
  free(L(a));
}

static void sc_double_linked_list(void) {
  /* b is free; its fd is redirected to a fake chunk whose bk does not point
   * back at b.  Freeing a merges forward into b and unlinks it. */
  void *a = malloc(3000);
  void *b = malloc(3000);
  void *c = malloc(3000);
  (void)c;
  if ((char *)b != (char *)a + bm_chunk_size(a)) craft_failed("blocks are not adjacent");
  free(b);
  size_t *b_user = (size_t *)L(b);
  b_user[0] = (size_t)(uintptr_t)g_fake; /* fd */
  free(L(a));
}

static void sc_corrupted_top_size(void) {
  void *p = malloc(3000);
  size_t *top_hdr = (size_t *)((char *)p - 16 + bm_chunk_size(p));
  if ((top_hdr[1] & ~(size_t)7) < 4096) craft_failed("top chunk does not follow the block");
  top_hdr[1] = ~(size_t)0 & ~(size_t)6; /* huge top, PREV_INUSE */
  void *q = malloc(bm_opaque_size(20000));
  (void)q;
}

static void sc_unaligned_tcache(void) {
  void *a = malloc(40);
  void *b = malloc(40);
  free(a);
  free(b); /* tcache bin: b -> a */
  size_t *b_user = (size_t *)L(b);
  b_user[0] ^= 8;       /* the revealed next pointer becomes a + 8 */
  void *x = malloc(40); /* returns b */
  (void)L(x);
  void *y = malloc(40); /* a + 8: unaligned */
  (void)L(y);
}

static void sc_unaligned_fastbin(void) {
  /* Needs the tcache disabled (driver) so fastbin chunks are handed out
   * directly. */
  void *a = malloc(40);
  void *b = malloc(40);
  void *guard = malloc(40);
  (void)guard;
  free(a);
  free(b); /* fastbin: b -> a */
  size_t *b_user = (size_t *)L(b);
  b_user[0] ^= 8; /* the revealed fd becomes a's chunk + 8 */
  void *x = malloc(40);
  (void)L(x);
  void *y = malloc(40);
  (void)L(y);
}

static void sc_smallbin_corrupted(void) {
  /* Needs the tcache disabled (driver).  Put a 208-byte chunk into its small
   * bin, break its bk, then allocate that size. */
  void *a = malloc(200);
  void *guard = malloc(200);
  (void)guard;
  free(a);
  void *sorter = malloc(bm_opaque_size(600)); /* sorts a out of the unsorted bin */
  (void)L(sorter);
  size_t *a_user = (size_t *)L(a);
  a_user[1] = (size_t)(uintptr_t)g_fake; /* bk; g_fake's fd is 0, not a */
  void *x = malloc(200);
  (void)L(x);
}

static void sc_unsorted_corrupted(void) {
  void *a = malloc(3000);
  void *guard = malloc(3000);
  (void)guard;
  free(a); /* a is alone in the unsorted bin */
  size_t *a_user = (size_t *)L(a);
  a_user[1] = (size_t)(uintptr_t)g_fake; /* bk; g_fake's fd is 0, not a */
  void *x = malloc(bm_opaque_size(5000));
  (void)L(x);
}

static void sc_munmap_invalid(void) {
  void *p = malloc(bm_opaque_size(1u << 20));
  if (!bm_is_mmapped(p)) craft_failed("1 MiB block is not mmapped");
  bm_hdr(p)[0] = 16; /* bogus front pad: the mapping start is not page aligned */
  free(L(p));
}

struct scenario {
  const char *name;
  void (*fn)(void);
};

static const struct scenario kScenarios[] = {
    {"tcache_double_free", sc_tcache_double_free},
    {"fasttop", sc_fasttop},
    {"double_free_top", sc_double_free_top},
    {"double_free_out", sc_double_free_out},
    {"double_free_prev", sc_double_free_prev},
    {"invalid_pointer", sc_invalid_pointer},
    {"invalid_size", sc_invalid_size},
    {"invalid_next_size_fast", sc_invalid_next_size_fast},
    {"invalid_next_size_normal", sc_invalid_next_size_normal},
    {"size_vs_prev_size", sc_size_vs_prev_size},
    {"double_linked_list", sc_double_linked_list},
    {"corrupted_top_size", sc_corrupted_top_size},
    {"unaligned_tcache", sc_unaligned_tcache},
    {"unaligned_fastbin", sc_unaligned_fastbin},
    {"smallbin_corrupted", sc_smallbin_corrupted},
    {"unsorted_corrupted", sc_unsorted_corrupted},
    {"munmap_invalid", sc_munmap_invalid},
};

static void *run_in_thread(void *arg) {
  const struct scenario *sc = (const struct scenario *)arg;
  sc->fn();
  not_detected(sc->name);
  return NULL;
}

int main(int argc, char **argv) {
  int in_thread = argc == 3 && strcmp(argv[2], "--in-thread") == 0;
  if (argc != 2 && !in_thread) {
    fprintf(stderr, "usage: %s <scenario> [--in-thread] | --list\n", argv[0]);
    return 2;
  }
  for (size_t i = 0; i < sizeof kScenarios / sizeof kScenarios[0]; ++i) {
    if (strcmp(argv[1], "--list") == 0) {
      printf("%s\n", kScenarios[i].name);
    } else if (strcmp(argv[1], kScenarios[i].name) == 0) {
      if (in_thread) {
        /* The corruption happens in a second thread's (non-main) arena. */
        free(malloc(64));
        pthread_t th;
        if (pthread_create(&th, NULL, run_in_thread, (void *)&kScenarios[i]) != 0) return 2;
        pthread_join(th, NULL);
        return 2;
      }
      kScenarios[i].fn();
      not_detected(argv[1]);
    }
  }
  if (strcmp(argv[1], "--list") == 0) return 0;
  fprintf(stderr, "unknown scenario %s\n", argv[1]);
  return 2;
}
