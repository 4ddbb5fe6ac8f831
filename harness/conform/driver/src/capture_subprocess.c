/* support_capture_subprocess: run a function in a forked child and collect
   what it wrote (support/capture_subprocess.h). The child writes into two
   anonymous temporary files, read back once it has exited, so a chatty
   child can never block on a full pipe.  */
#include <stdio.h>
#include <stdlib.h>
#include <support/capture_subprocess.h>
#include <support/check.h>
#include <support/support.h>
#include <sys/wait.h>
#include <unistd.h>

static struct conform_captured_output read_back(FILE* f) {
  struct conform_captured_output o;
  fflush(f);
  long size = ftell(f);
  if (size < 0) size = 0;
  o.buffer = xmalloc((size_t)size + 1);
  rewind(f);
  o.length = fread(o.buffer, 1, (size_t)size, f);
  o.buffer[o.length] = '\0';
  fclose(f);
  return o;
}

struct support_capture_subprocess support_capture_subprocess(void (*callback)(void*), void* closure) {
  FILE* out = tmpfile();
  FILE* err = tmpfile();
  if (out == NULL || err == NULL) FAIL_EXIT1("tmpfile: %m");
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) FAIL_EXIT1("fork: %m");
  if (pid == 0) {
    dup2(fileno(out), STDOUT_FILENO);
    dup2(fileno(err), STDERR_FILENO);
    callback(closure);
    fflush(stdout);
    _exit(0);
  }
  struct support_capture_subprocess result;
  if (waitpid(pid, &result.status, 0) != pid) FAIL_EXIT1("waitpid: %m");
  fseek(out, 0, SEEK_END);
  fseek(err, 0, SEEK_END);
  result.out = read_back(out);
  result.err = read_back(err);
  return result;
}

void support_capture_subprocess_free(struct support_capture_subprocess* result) {
  free(result->out.buffer);
  free(result->err.buffer);
}
