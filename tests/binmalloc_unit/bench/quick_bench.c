/* quick_bench: allocation micro-loops to compare binmalloc (LD_PRELOAD) with
 * glibc.  usage: quick_bench MODE THREADS N
 *   MODE  p16 | p2000   malloc+free pairs of 16 / 2000 bytes
 *         churn         random free/malloc over 4096 slots, 8 B-64 KiB
 *         uchurn        free then malloc of uniform 16-1024 B over 4096 slots
 *         xfer64 | xfer500  producer thread allocates batches of 1024 blocks,
 *                       a consumer thread frees them (cross-thread frees);
 *                       N = number of batches; THREADS is ignored
 *   THREADS 0 = run in the main thread (single-threaded process), else that
 *           many pthreads (the process is then multi-threaded)
 * Prints nanoseconds per operation (per thread). */

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}
static size_t N;
static void *pairs(void *arg) {
  size_t sz = (size_t)arg;
  for (size_t i = 0; i < N; i++) {
    void *p = malloc(sz);
    __asm__ volatile("" ::"r"(p) : "memory");
    free(p);
  }
  return NULL;
}
static void *uchurn(void *arg) {
  uint64_t s = (uintptr_t)arg * 0x9e3779b97f4a7c15ULL + 1;
  enum { SLOTS = 4096 };
  void **slot = calloc(SLOTS, sizeof(void *));
  for (size_t i = 0; i < N; i++) {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    size_t j = s % SLOTS;
    free(slot[j]);
    size_t sz = 16 + (s >> 32) % 1009;
    slot[j] = malloc(sz);
    memset(slot[j], 1, sz < 64 ? sz : 64);
  }
  for (size_t j = 0; j < SLOTS; j++) free(slot[j]);
  free(slot);
  return NULL;
}
#define XB 1024
static pthread_mutex_t xmu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t xcv = PTHREAD_COND_INITIALIZER;
static void **xq[8];
static int xqn;
static size_t XSZ;
static void *xprod(void *arg) {
  (void)arg;
  for (size_t r = 0; r < N; r++) {
    void **b = malloc(XB * sizeof(void *));
    for (int i = 0; i < XB; i++) {
      b[i] = malloc(XSZ);
      *(char *)b[i] = 1;
    }
    pthread_mutex_lock(&xmu);
    while (xqn == 8) pthread_cond_wait(&xcv, &xmu);
    xq[xqn++] = b;
    pthread_cond_broadcast(&xcv);
    pthread_mutex_unlock(&xmu);
  }
  return NULL;
}
static void *xcons(void *arg) {
  (void)arg;
  for (size_t r = 0; r < N; r++) {
    pthread_mutex_lock(&xmu);
    while (xqn == 0) pthread_cond_wait(&xcv, &xmu);
    void **b = xq[--xqn];
    pthread_cond_broadcast(&xcv);
    pthread_mutex_unlock(&xmu);
    for (int i = 0; i < XB; i++) free(b[i]);
    free(b);
  }
  return NULL;
}
static void *churn(void *arg) {
  uint64_t s = (uintptr_t)arg * 0x9e3779b97f4a7c15ULL + 1;
  enum { SLOTS = 4096 };
  void **slot = calloc(SLOTS, sizeof(void *));
  for (size_t i = 0; i < N; i++) {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    size_t j = s % SLOTS;
    if (slot[j]) {
      free(slot[j]);
      slot[j] = NULL;
    } else {
      unsigned k = (s >> 20) % 100;
      size_t sz = k < 70 ? 8 + (s >> 32) % 256 : k < 95 ? 256 + (s >> 32) % 4096 : 4096 + (s >> 32) % 60000;
      slot[j] = malloc(sz);
      memset(slot[j], 1, sz < 64 ? sz : 64);
    }
  }
  for (size_t j = 0; j < SLOTS; j++) free(slot[j]);
  free(slot);
  return NULL;
}
int main(int argc, char **argv) {
  const char *mode = argv[1];
  int threads = argc > 2 ? atoi(argv[2]) : 1;
  N = argc > 3 ? strtoull(argv[3], 0, 10) : 20000000;
  void *(*fn)(void *) = churn;
  void *arg;
  pthread_t t[64];
  if (!strncmp(mode, "xfer", 4)) {
    XSZ = strtoull(mode + 4, 0, 10);
    double a = now();
    pthread_create(&t[0], NULL, xprod, NULL);
    pthread_create(&t[1], NULL, xcons, NULL);
    pthread_join(t[0], NULL);
    pthread_join(t[1], NULL);
    printf("%.2f\n", (now() - a) * 1e9 / (double)(N * XB));
    return 0;
  }
  if (threads == 0) {
    double a = now();
    if (!strcmp(mode, "p16"))
      pairs((void *)16);
    else if (!strcmp(mode, "p2000"))
      pairs((void *)2000);
    else if (!strcmp(mode, "uchurn"))
      uchurn((void *)1);
    else
      churn((void *)1);
    printf("%.2f\n", (now() - a) * 1e9 / (double)N);
    return 0;
  }
  double t0 = now();
  for (int i = 0; i < threads; i++) {
    if (!strcmp(mode, "p16"))
      fn = pairs, arg = (void *)16;
    else if (!strcmp(mode, "p2000"))
      fn = pairs, arg = (void *)2000;
    else {
      arg = (void *)(uintptr_t)(i + 1);
      if (!strcmp(mode, "uchurn")) fn = uchurn;
    }
    pthread_create(&t[i], NULL, fn, arg);
  }
  for (int i = 0; i < threads; i++) pthread_join(t[i], NULL);
  double el = now() - t0;
  printf("%.2f\n", el * 1e9 / (double)N);
  return 0;
}
