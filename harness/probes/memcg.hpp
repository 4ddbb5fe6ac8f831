// A per-job memory cgroup (cgroup v1 memory controller): a child of the
// cgroup allocscope itself runs in, so every enclosing limit stays in force.
// Gives an exact "oom" status (the OOM-kill counter) and the job's peak
// charged memory. Used when the hierarchy is writable (root), else the
// launcher falls back to RLIMIT_AS.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

namespace allocscope {

class MemCgroup {
 public:
  MemCgroup() = default;
  ~MemCgroup();
  MemCgroup(const MemCgroup&) = delete;
  MemCgroup& operator=(const MemCgroup&) = delete;

  // Creates the group with the given limit; false (with *why) when not possible.
  bool create(uint64_t limit_bytes, std::string* why);
  bool attach(pid_t pid, std::string* why);  // moves pid into the group
  uint64_t peak_bytes() const;               // memory.max_usage_in_bytes
  uint64_t failcnt() const;                  // memory.failcnt
  uint64_t oom_kills() const;                // "oom_kill" of memory.oom_control (0 if absent)
  bool under_oom() const;
  void remove();  // rmdir (retries while dying tasks leave)
  const std::string& path() const { return path_; }

  // The folder new groups are created in: $ALLOCSCOPE_CGROUP_PARENT, else the
  // memory cgroup of this process under /sys/fs/cgroup/memory. "" if none.
  static std::string parent_dir(std::string* why);

 private:
  std::string path_;
};

}  // namespace allocscope
