#include "harness/probes/memcg.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <sstream>

#include "harness/probes/proc.hpp"

namespace allocscope {

namespace {

constexpr const char* kMemRoot = "/sys/fs/cgroup/memory";

bool write_file(const std::string& path, const std::string& text, std::string* why) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    if (why) *why = path + ": " + std::strerror(errno);
    return false;
  }
  ssize_t n = ::write(fd, text.data(), text.size());
  int e = errno;
  ::close(fd);
  if (n != static_cast<ssize_t>(text.size())) {
    if (why) *why = path + ": " + std::strerror(e);
    return false;
  }
  return true;
}

uint64_t read_u64(const std::string& path) {
  std::string t = read_text_file(path);
  return t.empty() ? 0 : std::strtoull(t.c_str(), nullptr, 10);
}

uint64_t field(const std::string& text, const std::string& name) {
  std::istringstream in(text);
  std::string k;
  uint64_t v;
  while (in >> k >> v)
    if (k == name) return v;
  return 0;
}

// Groups left behind by an allocscope that was killed: remove the empty ones.
void remove_stale(const std::string& parent) {
  DIR* d = ::opendir(parent.c_str());
  if (!d) return;
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name.rfind("allocscope-", 0) != 0) continue;
    long pid = std::strtol(name.c_str() + 11, nullptr, 10);
    if (pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH)) continue;
    ::rmdir((parent + "/" + name).c_str());
  }
  ::closedir(d);
}

}  // namespace

std::string MemCgroup::parent_dir(std::string* why) {
  if (const char* env = std::getenv("ALLOCSCOPE_CGROUP_PARENT")) return env;
  std::istringstream in(read_text_file("/proc/self/cgroup"));
  for (std::string line; std::getline(in, line);) {
    // "4:memory:/some/path"
    auto a = line.find(':'), b = line.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    std::string ctrls = line.substr(a + 1, b - a - 1);
    std::istringstream cs(ctrls);
    for (std::string c; std::getline(cs, c, ',');)
      if (c == "memory") {
        std::string rel = line.substr(b + 1);
        std::string dir = std::string(kMemRoot) + (rel == "/" ? "" : rel);
        if (::access((dir + "/memory.limit_in_bytes").c_str(), W_OK) != 0) {
          if (why) *why = "no writable cgroup v1 memory controller at " + dir;
          return {};
        }
        return dir;
      }
  }
  if (why) *why = "no cgroup v1 memory controller";
  return {};
}

bool MemCgroup::create(uint64_t limit_bytes, std::string* why) {
  static std::atomic<unsigned> counter{0};
  std::string parent = parent_dir(why);
  if (parent.empty()) return false;
  if (counter == 0) remove_stale(parent);
  std::string dir = parent + "/allocscope-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
  if (::mkdir(dir.c_str(), 0755) != 0) {
    if (why) *why = "mkdir " + dir + ": " + std::strerror(errno);
    return false;
  }
  path_ = dir;
  if (!write_file(dir + "/memory.limit_in_bytes", std::to_string(limit_bytes), why)) {
    remove();
    return false;
  }
  // No swapping around the limit: memory+swap gets the same limit when the
  // kernel accounts swap; otherwise there is nothing to do.
  if (::access((dir + "/memory.memsw.limit_in_bytes").c_str(), W_OK) == 0)
    write_file(dir + "/memory.memsw.limit_in_bytes", std::to_string(limit_bytes), nullptr);
  write_file(dir + "/memory.swappiness", "0", nullptr);
  return true;
}

bool MemCgroup::attach(pid_t pid, std::string* why) {
  return !path_.empty() && write_file(path_ + "/cgroup.procs", std::to_string(pid), why);
}

uint64_t MemCgroup::peak_bytes() const {
  return read_u64(path_ + "/memory.max_usage_in_bytes");
}
uint64_t MemCgroup::failcnt() const {
  return read_u64(path_ + "/memory.failcnt");
}
uint64_t MemCgroup::oom_kills() const {
  return field(read_text_file(path_ + "/memory.oom_control"), "oom_kill");
}
bool MemCgroup::under_oom() const {
  return field(read_text_file(path_ + "/memory.oom_control"), "under_oom") != 0;
}

void MemCgroup::remove() {
  if (path_.empty()) return;
  for (int i = 0; i < 200; ++i) {  // up to ~2 s for killed tasks to leave
    if (::rmdir(path_.c_str()) == 0 || errno == ENOENT) break;
    if (errno != EBUSY) break;
    ::usleep(10000);
  }
  path_.clear();
}

MemCgroup::~MemCgroup() {
  remove();
}

}  // namespace allocscope
