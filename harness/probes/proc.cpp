#include "harness/probes/proc.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace allocscope {

namespace {
std::string proc_path(pid_t pid, const char* file) {
  return pid == 0 ? std::string("/proc/self/") + file : "/proc/" + std::to_string(pid) + "/" + file;
}
}  // namespace

std::string read_text_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return out;
}

ProcStatus read_proc_status(pid_t pid) {
  ProcStatus st;
  std::string text = read_text_file(proc_path(pid, "status"));
  if (text.empty()) return st;
  auto field = [&](const char* key) -> uint64_t {
    size_t at = text.find(key);
    if (at == std::string::npos) return 0;
    return std::strtoull(text.c_str() + at + std::strlen(key), nullptr, 10) * 1024;  // kB
  };
  st.vm_hwm_bytes = field("VmHWM:");
  st.vm_peak_bytes = field("VmPeak:");
  st.vm_rss_bytes = field("VmRSS:");
  st.vm_pte_bytes = field("VmPTE:");
  st.ok = true;
  return st;
}

uint64_t read_anon_huge_bytes(pid_t pid) {
  std::string text = read_text_file(proc_path(pid, "smaps_rollup"));
  size_t at = text.find("AnonHugePages:");
  if (at == std::string::npos) return 0;
  return std::strtoull(text.c_str() + at + std::strlen("AnonHugePages:"), nullptr, 10) * 1024;  // kB
}

uint64_t read_statm_rss(pid_t pid) {
  // No allocation: workers call this at their live peak.
  char path[64];
  if (pid == 0)
    std::snprintf(path, sizeof path, "/proc/self/statm");
  else
    std::snprintf(path, sizeof path, "/proc/%d/statm", static_cast<int>(pid));
  char buf[128];
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  if (n <= 0) return 0;
  buf[n] = '\0';
  unsigned long long size = 0, resident = 0;
  if (std::sscanf(buf, "%llu %llu", &size, &resident) != 2) return 0;
  return resident * static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
}

}  // namespace allocscope
