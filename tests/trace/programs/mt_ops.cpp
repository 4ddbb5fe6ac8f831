// A multithreaded program with a known number of allocation calls of every
// kind, for the trace round-trip test. Usage: trace_mt_ops THREADS ITERATIONS
// Per thread and iteration: malloc 2, calloc 1, realloc 1, reallocarray 1,
// memalign 1, posix_memalign 1, aligned_alloc 1, valloc 1, pvalloc 1,
// new 3 (plain, sized-deleted, aligned), new[] 1, delete 3, delete[] 1 and
// free 9, one of which frees a block allocated by the previous thread.
// ITERATIONS=0 gives the program's baseline (start-up, threads).
#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <new>

namespace {

int g_threads = 0;
int g_iters = 0;
void** g_xfer = nullptr;  // [thread * iterations + k]: blocks freed by the next thread
pthread_barrier_t g_barrier;
std::uintptr_t g_sink = 0;

void* body(void* arg) {
  const int t = static_cast<int>(reinterpret_cast<std::intptr_t>(arg));
  for (int k = 0; k < g_iters; ++k) {
    char* p1 = static_cast<char*>(malloc(24 + static_cast<size_t>(t)));
    void* p2 = calloc(4, 10);
    p1 = static_cast<char*>(realloc(p1, 200));
    void* p3 = reallocarray(nullptr, 3, 10);
    void* p4 = memalign(128, 100);
    void* p5 = nullptr;
    if (posix_memalign(&p5, 32, 48) != 0) abort();
    void* p6 = aligned_alloc(64, 128);
    void* p7 = valloc(100);
    void* p8 = pvalloc(100);
    void* n1 = ::operator new(40);
    void* n2 = ::operator new(56);
    void* n3 = ::operator new(64, std::align_val_t(64));
    void* n4 = ::operator new[](100);
    g_xfer[t * g_iters + k] = malloc(64);
    for (void* p : {static_cast<void*>(p1), p2, p3, p4, p5, p6, p7, p8, n1, n2, n3, n4})
      if (!p) abort();
    std::memset(p1, t, 200);
    g_sink += reinterpret_cast<std::uintptr_t>(p2) ^ reinterpret_cast<std::uintptr_t>(n4);
    ::operator delete(n1);
    ::operator delete(n2, 56);
    ::operator delete(n3, std::align_val_t(64));
    ::operator delete[](n4);
    free(p1);
    free(p2);
    free(p3);
    free(p4);
    free(p5);
    free(p6);
    free(p7);
    free(p8);
  }
  pthread_barrier_wait(&g_barrier);
  // Free what the previous thread allocated.
  const int prev = (t + g_threads - 1) % g_threads;
  for (int k = 0; k < g_iters; ++k) free(g_xfer[prev * g_iters + k]);
  return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: trace_mt_ops THREADS ITERATIONS\n");
    return 2;
  }
  g_threads = std::atoi(argv[1]);
  g_iters = std::atoi(argv[2]);
  if (g_threads < 1 || g_threads > 64 || g_iters < 0 || g_iters > 1000000) return 2;
  static void* xfer[64 * 4096];
  if (static_cast<long>(g_threads) * g_iters > 64 * 4096) return 2;
  g_xfer = xfer;
  pthread_barrier_init(&g_barrier, nullptr, static_cast<unsigned>(g_threads));
  pthread_t th[64];
  for (int t = 0; t < g_threads; ++t)
    pthread_create(&th[t], nullptr, body, reinterpret_cast<void*>(static_cast<std::intptr_t>(t)));
  for (int t = 0; t < g_threads; ++t) pthread_join(th[t], nullptr);
  char msg[64];
  int n = std::snprintf(msg, sizeof msg, "done %d %d\n", g_threads, g_iters);
  if (write(1, msg, static_cast<size_t>(n)) < 0) return 1;
  return g_sink == 1 ? 3 : 0;
}
