/* System calls that exit with a message on error (the tests' x* wrappers).  */
#ifndef CONFORM_SUPPORT_XUNISTD_H
#define CONFORM_SUPPORT_XUNISTD_H

#include <sys/cdefs.h>
#include <sys/types.h>
#include <unistd.h>

__BEGIN_DECLS

pid_t xfork(void);
pid_t xwaitpid(pid_t pid, int* status, int flags);
int xopen(const char* path, int flags, mode_t mode);
void xclose(int fd);
void xpipe(int fds[2]);
void xwrite(int fd, const void* buffer, size_t length);
long xsysconf(int name);
void* xmmap(void* addr, size_t length, int prot, int flags, int fd);
void xmunmap(void* addr, size_t length);

__END_DECLS

#endif
