/* Start and end of a test run (support/test-driver.h): the failure count
   shared with forked children, output order, and the line on descriptor 3
   that tells allocscope what the test expects.  */
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <support/test-driver.h>
#include <sys/mman.h>
#include <unistd.h>

#include "driver_state.h"

static volatile unsigned int* failures;
static unsigned int failures_fallback;

void conform_count_failure(void) {
  __atomic_add_fetch(failures ? failures : &failures_fallback, 1, __ATOMIC_SEQ_CST);
}

/* Tells allocscope (descriptor 3, when open) what counts as a pass.  */
static void report_expectations(int expected_signal, int expected_status, int timeout) {
  if (fcntl(3, F_GETFD) < 0) return;
  char line[96];
  int n = snprintf(line, sizeof line, "expected_signal=%d expected_status=%d timeout=%d\n", expected_signal,
                   expected_status, timeout);
  if (write(3, line, (size_t)n) != n) perror("conform driver: write to descriptor 3");
  close(3);
}

void conform_driver_start(int expected_signal, int expected_status, int timeout, int no_mallopt, int no_setvbuf) {
  report_expectations(expected_signal, expected_status, timeout);
  void* shared = mmap(NULL, sizeof(unsigned int), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (shared != MAP_FAILED) failures = shared;
  /* One stream, in order: what the test prints and what the allocator
     prints both end on standard error.  */
  dup2(STDERR_FILENO, STDOUT_FILENO);
  if (!no_setvbuf) setvbuf(stdout, NULL, _IONBF, 0);
  /* The tests' convention: freed and fresh memory filled with a pattern.  */
  if (!no_mallopt) mallopt(M_PERTURB, 42);
}

int conform_driver_finish(int status) {
  unsigned int n = failures ? *failures : failures_fallback;
  if (status == 0 && n > 0) {
    fprintf(stderr, "error: %u test failures\n", n);
    status = 1;
  }
  fflush(stdout);
  return status;
}
