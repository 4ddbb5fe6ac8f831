/* Tiny write(2)-based formatter (see fmt.h). */
#include "fmt.h"

#include <errno.h>
#include <unistd.h>

void bm_buf_init(bm_buf_t *b, int fd) {
  b->len = 0;
  b->fd = fd;
}

void bm_buf_flush(bm_buf_t *b) {
  int saved = errno;
  size_t off = 0;
  while (off < b->len) {
    ssize_t w = write(b->fd, b->data + off, b->len - off);
    if (w <= 0) {
      if (w < 0 && errno == EINTR) continue;
      break;
    }
    off += (size_t)w;
  }
  b->len = 0;
  errno = saved;
}

static void put(bm_buf_t *b, char c) {
  if (b->len == sizeof b->data) bm_buf_flush(b);
  b->data[b->len++] = c;
}

void bm_buf_str(bm_buf_t *b, const char *s) {
  while (*s) put(b, *s++);
}

void bm_buf_u64w(bm_buf_t *b, uint64_t v, int width) {
  char tmp[24];
  int n = 0;
  do {
    tmp[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  for (int i = n; i < width; i++) put(b, ' ');
  while (n) put(b, tmp[--n]);
}

void bm_buf_u64(bm_buf_t *b, uint64_t v) {
  bm_buf_u64w(b, v, 0);
}
