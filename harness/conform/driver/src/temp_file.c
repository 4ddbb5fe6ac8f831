/* Temporary files removed when the test's main process exits
   (support/temp_file.h).  */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <support/support.h>
#include <support/temp_file.h>
#include <unistd.h>

enum { max_temp_files = 64 };
static char* temp_files[max_temp_files];
static int temp_file_count;
static pid_t owner;

static void remove_temp_files(void) {
  if (getpid() != owner) return; /* a forked child leaves them to the test */
  for (int i = 0; i < temp_file_count; ++i) unlink(temp_files[i]);
}

void add_temp_file(const char* name) {
  if (temp_file_count == 0) {
    owner = getpid();
    atexit(remove_temp_files);
  }
  if (temp_file_count < max_temp_files) temp_files[temp_file_count++] = xstrdup(name);
}

int create_temp_file(const char* base, char** filename) {
  const char* dir = getenv("TMPDIR");
  if (dir == NULL || *dir == '\0') dir = "/tmp";
  size_t n = strlen(dir) + strlen(base) + 16;
  char* name = xmalloc(n);
  snprintf(name, n, "%s/%sXXXXXX", dir, base);
  int fd = mkstemp(name);
  if (fd < 0) {
    free(name);
    return -1;
  }
  add_temp_file(name);
  if (filename != NULL)
    *filename = name;
  else
    free(name);
  return fd;
}
