/* Output helpers usable where stdio is not (support/support.h).  */
#include <fcntl.h>
#include <string.h>
#include <support/support.h>
#include <unistd.h>

void write_message(const char* message) {
  size_t length = strlen(message);
  while (length > 0) {
    ssize_t n = write(STDOUT_FILENO, message, length);
    if (n <= 0) return;
    message += n;
    length -= (size_t)n;
  }
}

void ignore_stderr(void) {
  int fd = open("/dev/null", O_WRONLY);
  if (fd >= 0) {
    dup2(fd, STDERR_FILENO);
    close(fd);
  }
}
