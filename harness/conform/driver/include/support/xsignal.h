/* Signal calls that exit with a message on error.  */
#ifndef CONFORM_SUPPORT_XSIGNAL_H
#define CONFORM_SUPPORT_XSIGNAL_H

#include <signal.h>
#include <sys/cdefs.h>

__BEGIN_DECLS

sighandler_t xsignal(int signo, sighandler_t handler);
void xraise(int signo);
void xsigaction(int signo, const struct sigaction* action, struct sigaction* old);

__END_DECLS

#endif
