#include "allocscope/sysmem.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace allocscope {

namespace {
// Reads field `idx` (0 = size, 1 = resident) of /proc/self/statm, in pages,
// with a stack buffer: no allocation, so safe in any phase.
uint64_t statm_field(int idx) {
  int fd = ::open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char buf[128];
  ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  if (n <= 0) return 0;
  buf[n] = '\0';
  char* p = buf;
  uint64_t v = 0;
  for (int i = 0; i <= idx; ++i) v = std::strtoull(p, &p, 10);
  return v;
}
}  // namespace

uint64_t page_size() {
  static const uint64_t ps = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  return ps;
}
uint64_t self_rss_bytes() {
  return statm_field(1) * page_size();
}
uint64_t self_vm_bytes() {
  return statm_field(0) * page_size();
}
uint64_t self_minor_faults() {
  struct rusage ru {};
  ::getrusage(RUSAGE_SELF, &ru);
  return static_cast<uint64_t>(ru.ru_minflt);
}
void idle_ms(double ms) {
  struct timespec ts;
  ts.tv_sec = static_cast<time_t>(ms / 1000);
  ts.tv_nsec = static_cast<long>((ms - static_cast<double>(ts.tv_sec) * 1000) * 1e6);
  while (::nanosleep(&ts, &ts) != 0) {
  }
}

}  // namespace allocscope
