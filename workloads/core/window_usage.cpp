#include "allocscope/window_usage.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace allocscope {

namespace {

// The steal field (the 8th number) of /proc/stat's "cpu " line, in seconds.
double read_steal_s() noexcept {
  char buf[512];
  const int fd = ::open("/proc/stat", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  const ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  if (n <= 0) return -1;
  buf[n] = '\0';
  if (std::strncmp(buf, "cpu ", 4) != 0) return -1;
  const char* p = buf + 4;
  unsigned long long v = 0;
  for (int field = 0; field < 8; ++field) {
    char* end = nullptr;
    v = std::strtoull(p, &end, 10);
    if (end == p) return -1;
    p = end;
  }
  const long hz = ::sysconf(_SC_CLK_TCK);
  return hz > 0 ? static_cast<double>(v) / static_cast<double>(hz) : -1;
}

}  // namespace

WindowUsage read_window_usage() noexcept {
  WindowUsage u;
  timespec ts{};
  if (::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) == 0)
    u.cpu_s = static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
  rusage ru{};
  if (::getrusage(RUSAGE_SELF, &ru) == 0) u.invol_switches = ru.ru_nivcsw;
  u.steal_s = read_steal_s();
  return u;
}

WindowUsage usage_between(const WindowUsage& begin, const WindowUsage& end) noexcept {
  WindowUsage d;
  d.cpu_s = end.cpu_s - begin.cpu_s;
  d.invol_switches = end.invol_switches - begin.invol_switches;
  d.steal_s = begin.steal_s >= 0 && end.steal_s >= 0 ? end.steal_s - begin.steal_s : -1;
  return d;
}

}  // namespace allocscope
