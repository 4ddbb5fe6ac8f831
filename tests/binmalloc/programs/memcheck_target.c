/* A program with two heap bugs, for the memcheck test: a one-byte overflow
 * past the end of a 10-byte block and a read of a block after it was freed.
 * It is built twice: linked against libbinmalloc.so (memcheck must see the
 * binmalloc heap through client requests) and plain (glibc reference). */
#include <stdio.h>
#include <stdlib.h>

volatile int g_sink;

static void *launder(void *p) {
  __asm__ volatile("" : "+r"(p) : : "memory");
  return p;
}

int main(void) {
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
