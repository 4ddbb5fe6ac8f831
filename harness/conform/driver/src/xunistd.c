/* System-call and signal wrappers that exit with a message on error
   (support/xunistd.h, support/xsignal.h).  */
#include <fcntl.h>
#include <support/check.h>
#include <support/xsignal.h>
#include <support/xunistd.h>
#include <sys/mman.h>
#include <sys/wait.h>

pid_t xfork(void) {
  pid_t pid = fork();
  if (pid < 0) FAIL_EXIT1("fork: %m");
  return pid;
}

pid_t xwaitpid(pid_t pid, int* status, int flags) {
  pid_t ret = waitpid(pid, status, flags);
  if (ret < 0) FAIL_EXIT1("waitpid (%d): %m", (int)pid);
  return ret;
}

int xopen(const char* path, int flags, mode_t mode) {
  int fd = open(path, flags, mode);
  if (fd < 0) FAIL_EXIT1("open (\"%s\", 0x%x): %m", path, (unsigned)flags);
  return fd;
}

void xclose(int fd) {
  if (close(fd) < 0) FAIL_EXIT1("close (%d): %m", fd);
}

void xpipe(int fds[2]) {
  if (pipe(fds) < 0) FAIL_EXIT1("pipe: %m");
}

void xwrite(int fd, const void* buffer, size_t length) {
  const char* p = buffer;
  while (length > 0) {
    ssize_t n = write(fd, p, length);
    if (n <= 0) FAIL_EXIT1("write to descriptor %d: %m", fd);
    p += n;
    length -= (size_t)n;
  }
}

long xsysconf(int name) {
  long value = sysconf(name);
  if (value < 0) FAIL_EXIT1("sysconf (%d): %m", name);
  return value;
}

void* xmmap(void* addr, size_t length, int prot, int flags, int fd) {
  void* p = mmap(addr, length, prot, flags, fd, 0);
  if (p == MAP_FAILED) FAIL_EXIT1("mmap of %zu bytes: %m", length);
  return p;
}

void xmunmap(void* addr, size_t length) {
  if (munmap(addr, length) < 0) FAIL_EXIT1("munmap of %zu bytes: %m", length);
}

sighandler_t xsignal(int signo, sighandler_t handler) {
  sighandler_t old = signal(signo, handler);
  if (old == SIG_ERR) FAIL_EXIT1("signal (%d): %m", signo);
  return old;
}

void xraise(int signo) {
  if (raise(signo) != 0) FAIL_EXIT1("raise (%d): %m", signo);
}

void xsigaction(int signo, const struct sigaction* action, struct sigaction* old) {
  if (sigaction(signo, action, old) < 0) FAIL_EXIT1("sigaction (%d): %m", signo);
}
