/* BINMALLOC_STATS_FILE=PREFIX: at exit, the process writes what binmalloc
 * served to PREFIX.PID (one line of key=value pairs), so a test or a user can
 * tell that a program's allocations really went through the preloaded
 * library.  Shared library only; nothing here allocates. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "binmalloc.h"
#include "core.h"
#include "fmt.h"

static void put_pair(bm_buf_t *b, const char *key, uint64_t v) {
  bm_buf_str(b, " ");
  bm_buf_str(b, key);
  bm_buf_str(b, "=");
  bm_buf_u64(b, v);
}

/* Writes ".PID" and a terminating zero (at most 22 bytes). */
static void append_pid(char *at) {
  char digits[20];
  int k = 0;
  for (uint64_t v = (uint64_t)getpid(); k == 0 || v; v /= 10) digits[k++] = (char)('0' + v % 10);
  *at++ = '.';
  while (k) *at++ = digits[--k];
  *at = '\0';
}

__attribute__((destructor)) static void report_at_exit(void) {
  const char *prefix = getenv("BINMALLOC_STATS_FILE");
  if (!prefix || !*prefix) return;
  char path[4096];
  size_t n = strlen(prefix);
  if (n + 24 > sizeof path) return;
  memcpy(path, prefix, n);
  append_pid(path + n);
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return;
  struct binmalloc_stats_ex s;
  bm_stats_at_exit(&s);
  uint64_t served = s.tcache_hits + s.fastbin_hits + s.smallbin_hits + s.unsorted_hits + s.last_remainder_hits +
                    s.largebin_hits + s.binmap_hits + s.top_hits + s.mmap_chunks;
  uint64_t freed = s.tcache_frees + s.fastbin_frees + s.bin_frees + s.munmap_chunks;
  bm_buf_t b;
  bm_buf_init(&b, fd);
  bm_buf_str(&b, "binmalloc");
  put_pair(&b, "pid", (uint64_t)getpid());
  put_pair(&b, "served", served);
  put_pair(&b, "freed", freed);
  put_pair(&b, "mmapped", s.mmap_chunks);
  put_pair(&b, "arenas", s.narenas);
  put_pair(&b, "main_system_bytes", s.main_system_bytes);
  put_pair(&b, "fastbin_hits", s.fastbin_hits);
  put_pair(&b, "fastbin_takes", s.fastbin_takes);
  put_pair(&b, "tcache_growth_returns", s.tcache_growth_returns);
  bm_buf_str(&b, "\n");
  bm_buf_flush(&b);
  close(fd);
}
