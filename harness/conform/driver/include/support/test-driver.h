/* The calling convention of a test: constants the tests refer to.  */
#ifndef CONFORM_SUPPORT_TEST_DRIVER_H
#define CONFORM_SUPPORT_TEST_DRIVER_H

/* Seconds a test may run unless it defines TIMEOUT (informational here:
   allocscope conform applies its own time limit).  */
#define DEFAULT_TIMEOUT 20
/* Exit status of a test that cannot run in this environment.  */
#define EXIT_UNSUPPORTED 77

#include <sys/cdefs.h>

__BEGIN_DECLS

/* Called by the driver's main: see driver/README.md.  */
void conform_driver_start(int expected_signal, int expected_status, int timeout, int no_mallopt, int no_setvbuf);
int conform_driver_finish(int status);

__END_DECLS

#endif
