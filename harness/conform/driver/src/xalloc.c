/* Allocation helpers that never return NULL, and shared memory
   (support/support.h).  */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <support/check.h>
#include <support/support.h>
#include <sys/mman.h>

void oom_error(const char* function, size_t size) {
  fprintf(stderr, "error: out of memory: %s (%zu)\n", function, size);
  exit(1);
}

void* xmalloc(size_t size) {
  void* p = malloc(size);
  if (p == NULL) oom_error("malloc", size);
  return p;
}

void* xcalloc(size_t count, size_t size) {
  void* p = calloc(count, size);
  if (p == NULL) oom_error("calloc", count * size);
  return p;
}

void* xrealloc(void* ptr, size_t size) {
  void* p = realloc(ptr, size);
  if (p == NULL && size != 0) oom_error("realloc", size);
  return p;
}

char* xstrdup(const char* text) {
  size_t n = strlen(text) + 1;
  return memcpy(xmalloc(n), text, n);
}

/* The size is kept in a header page so that support_shared_free can unmap.  */
void* support_shared_allocate(size_t size) {
  size_t total = size + 64;
  void* p = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) FAIL_EXIT1("mmap of %zu shared bytes: %m", total);
  *(size_t*)p = total;
  return (char*)p + 64;
}

void support_shared_free(void* ptr) {
  char* base = (char*)ptr - 64;
  munmap(base, *(size_t*)base);
}
