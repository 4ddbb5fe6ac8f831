/* Memory shapes for the process-tree, huge-page and page-table tests.
 * Usage: touch_tree MODE MIB
 *   touch  touch MIB of small pages (MADV_NOHUGEPAGE), then exit
 *   fork   a forked child touches MIB of small pages; the parent waits
 *   thp    touch MIB in a 2 MiB-aligned region advised MADV_HUGEPAGE */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static int touch(size_t bytes, int advice) {
  const size_t align = 2u << 20;
  char* raw = mmap(NULL, bytes + align, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) return 1;
  char* p = (char*)(((unsigned long)raw + align - 1) & ~(unsigned long)(align - 1));
  madvise(p, bytes, advice);
  for (size_t i = 0; i < bytes; i += 4096) p[i] = 1;
  return 0;
}

int main(int argc, char** argv) {
  if (argc < 3) return 2;
  size_t bytes = (size_t)atol(argv[2]) << 20;
  if (!strcmp(argv[1], "touch")) return touch(bytes, MADV_NOHUGEPAGE);
  if (!strcmp(argv[1], "thp")) return touch(bytes, MADV_HUGEPAGE);
  if (!strcmp(argv[1], "fork")) {
    pid_t pid = fork();
    if (pid == 0) _exit(touch(bytes, MADV_NOHUGEPAGE));
    int st = 0;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
  }
  return 2;
}
