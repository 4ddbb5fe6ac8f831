/* Failure reporting and counting for the tests (support/check.h).  */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <support/check.h>

#include "driver_state.h"

void support_record_failure(void) {
  conform_count_failure();
}

void conform_fail(int status, const char* file, int line, const char* format, ...) {
  fflush(stdout);
  fprintf(stderr, "error: %s:%d: ", file, line);
  va_list ap;
  va_start(ap, format);
  vfprintf(stderr, format, ap);
  va_end(ap);
  fputc('\n', stderr);
  conform_count_failure();
  if (status != 0) exit(status);
}

void conform_unsupported(const char* file, int line, const char* format, ...) {
  fflush(stdout);
  fprintf(stderr, "%s:%d: unsupported: ", file, line);
  va_list ap;
  va_start(ap, format);
  vfprintf(stderr, format, ap);
  va_end(ap);
  fputc('\n', stderr);
  exit(77);
}

void conform_compare_failed(const char* file, int line, const char* left_expr, const char* right_expr,
                            unsigned long long left, int left_negative, unsigned long long right, int right_negative) {
  char lbuf[32], rbuf[32];
  snprintf(lbuf, sizeof lbuf, left_negative ? "%lld" : "%llu", left);
  snprintf(rbuf, sizeof rbuf, right_negative ? "%lld" : "%llu", right);
  conform_fail(0, file, line, "TEST_COMPARE (%s, %s): %s != %s", left_expr, right_expr, lbuf, rbuf);
}
