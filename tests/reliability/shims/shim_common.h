/* Test-only preload shims: malloc forwards to glibc's (__libc_malloc) and
 * misbehaves on purpose; every other entry point stays glibc's. */
#pragma once
#include <stddef.h>
#include <stdlib.h>

extern void* __libc_malloc(size_t);
extern void* __libc_calloc(size_t, size_t);

/* The Nth call misbehaves: $ALLOCSCOPE_SHIM_N, default `def`. */
static inline long shim_n(long def) {
  static long n = -1;
  if (n < 0) {
    const char* e = getenv("ALLOCSCOPE_SHIM_N");
    n = e ? atol(e) : def;
  }
  return n;
}
