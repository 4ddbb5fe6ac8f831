/* Allocation helpers that never return NULL, and memory shared with forked
   children, for glibc's malloc tests built by allocscope conform.  */
#ifndef CONFORM_SUPPORT_SUPPORT_H
#define CONFORM_SUPPORT_SUPPORT_H

#include <stddef.h>
#include <sys/cdefs.h>

__BEGIN_DECLS

/* Print "error: out of memory: FUNCTION(SIZE)" and exit with 1.  */
void oom_error(const char* function, size_t size) __attribute__((noreturn));
void* xmalloc(size_t size) __attribute__((malloc));
void* xcalloc(size_t count, size_t size) __attribute__((malloc));
void* xrealloc(void* ptr, size_t size);
char* xstrdup(const char* text) __attribute__((malloc));
/* Zero-filled memory that stays shared between this process and the
   processes it forks afterwards (an anonymous shared mapping).  */
void* support_shared_allocate(size_t size);
void support_shared_free(void* ptr);
/* Writes MESSAGE to standard output with write(2): usable in a signal
   handler.  */
void write_message(const char* message);
/* Sends standard error to /dev/null from now on.  */
void ignore_stderr(void);

__END_DECLS

#endif
