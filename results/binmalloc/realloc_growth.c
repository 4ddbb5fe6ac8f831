/* The realloc-growth pattern of issue 17 as a stand-alone program (the same
 * shape as the realloc-growth-mixed workload at its defaults): 5 rounds of one
 * array grown by 16 B per realloc to 1.6 MB, a 32-232 B malloc/free every 64
 * steps.  Prints the elapsed time.  Build and run:
 *   cc -O2 results/binmalloc/realloc_growth.c -o /tmp/realloc_growth
 *   /tmp/realloc_growth; LD_PRELOAD=build/lib/libbinmalloc.so /tmp/realloc_growth */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(void) {
  const size_t elem = 16, max = 1600000;
  void* keep[8] = {0};
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (int r = 0; r < 5; r++) {
    char* p = NULL;
    for (size_t n = elem; n <= max; n += elem) {
      char* q = realloc(p, n);
      if (!q) return 1;
      p = q;
      p[n - 1] = 1;
      if ((n / elem) % 64 == 0) {
        size_t k = (n / elem / 64) % 8;
        free(keep[k]);
        keep[k] = malloc(32 + (n % 200));
      }
    }
    free(p);
  }
  clock_gettime(CLOCK_MONOTONIC, &b);
  printf("%.1f ms\n", (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6);
  for (int k = 0; k < 8; k++) free(keep[k]);
  return 0;
}
