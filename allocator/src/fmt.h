/* A tiny formatter that writes with write(2) and never allocates. */
#ifndef BM_FMT_H
#define BM_FMT_H

#include <stddef.h>
#include <stdint.h>

typedef struct bm_buf {
  char data[512];
  size_t len;
  int fd;
} bm_buf_t;

void bm_buf_init(bm_buf_t *b, int fd);
void bm_buf_str(bm_buf_t *b, const char *s);
void bm_buf_u64(bm_buf_t *b, uint64_t v);
/* Right-aligned in a field of width characters. */
void bm_buf_u64w(bm_buf_t *b, uint64_t v, int width);
void bm_buf_flush(bm_buf_t *b);

#endif
