/* Running a function in a forked child with its output captured.  */
#ifndef CONFORM_SUPPORT_CAPTURE_SUBPROCESS_H
#define CONFORM_SUPPORT_CAPTURE_SUBPROCESS_H

#include <stddef.h>
#include <sys/cdefs.h>

__BEGIN_DECLS

struct conform_captured_output {
  char* buffer; /* NUL-terminated, never NULL */
  size_t length;
};

struct support_capture_subprocess {
  struct conform_captured_output out; /* standard output */
  struct conform_captured_output err; /* standard error */
  int status;                         /* as returned by waitpid */
};

/* Forks, runs CALLBACK (CLOSURE) in the child with standard output and
   standard error captured, and waits for it.  */
struct support_capture_subprocess support_capture_subprocess(void (*callback)(void*), void* closure);
void support_capture_subprocess_free(struct support_capture_subprocess* result);

__END_DECLS

#endif
