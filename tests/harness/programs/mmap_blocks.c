/* Maps and unmaps a known number of large blocks through malloc: with
 * MALLOC_MMAP_THRESHOLD_ fixed below the block size, glibc serves each block
 * with one mmap and returns it with one munmap. Usage: mmap_blocks COUNT [SIZE] */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv) {
  long count = argc > 1 ? atol(argv[1]) : 0;
  size_t size = argc > 2 ? (size_t)atol(argv[2]) : 256 * 1024;
  for (long i = 0; i < count; ++i) {
    volatile char* p = malloc(size);
    if (!p) return 1;
    p[0] = 1;
    p[size - 1] = 1;
    free((void*)p);
  }
  return 0;
}
