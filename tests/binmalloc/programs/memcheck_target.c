/* Programs with planted heap bugs for the memcheck tests.  Built twice:
 * linked against libbinmalloc.so (memcheck must see binmalloc's heap through
 * client requests) and plain (glibc reference).
 *
 *   memcheck_target          one-byte overflow past a 10-byte block and a
 *                            read of a freed 200-byte block (2 errors);
 *   memcheck_target more     overflows of blocks from realloc, calloc and
 *                            memalign, a branch on uninitialised heap memory,
 *                            and a leaked 77-byte block. */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

volatile int g_sink;
void *volatile g_keep;

static void *launder(void *p) {
  __asm__ volatile("" : "+r"(p) : : "memory");
  return p;
}

static int basic(void) {
  char *p = (char *)malloc(10);
  if (!p) return 2;
  for (int i = 0; i < 10; ++i) p[i] = (char)i;
  volatile char *vp = (volatile char *)launder(p);
  vp[10] = 42; /* heap overflow by one byte */
  char *q = (char *)malloc(200);
  if (!q) return 2;
  q[0] = 1;
  free(q);
  volatile char *vq = (volatile char *)launder(q);
  g_sink = vq[5]; /* use after free */
  free(p);
  printf("done\n");
  return 0;
}

static int more(void) {
  char *r = (char *)malloc(16);
  if (!r) return 2;
  memset(r, 1, 16);
  r = (char *)realloc(r, 40);
  if (!r) return 2;
  ((volatile char *)launder(r))[40] = 1; /* past a realloc'd block of 40 */
  char *c = (char *)calloc(3, 5);
  if (!c) return 2;
  ((volatile char *)launder(c))[15] = 1; /* past a calloc'd block of 15 */
  char *m = (char *)memalign(64, 24);
  if (!m) return 2;
  ((volatile char *)launder(m))[24] = 1; /* past a memalign'd block of 24 */
  char *u = (char *)malloc(8);
  if (!u) return 2;
  if (((volatile char *)launder(u))[3] == 7) /* uninitialised */
    g_sink = 1;
  g_keep = malloc(77);
  g_keep = NULL; /* leaked: definitely lost */
  free(r);
  free(c);
  free(m);
  free(u);
  printf("done\n");
  return 0;
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "more") == 0) return more();
  return basic();
}
