// The worker's live-byte total, shared with the launcher: a small memfd
// mapping that the worker keeps its GlobalLive counter in (it finds the fd in
// ALLOCSCOPE_LIVE_FD) and that the launcher reads at each RSS sample, so the
// record has live bytes on the same clock as RSS.
#pragma once

#include <cstdint>

namespace allocscope {

// The fd number the child finds the counter at, and the variable naming it.
constexpr int kLiveCounterFd = 4;
constexpr const char* kLiveCounterEnv = "ALLOCSCOPE_LIVE_FD";

class LiveCounter {
 public:
  LiveCounter() = default;
  ~LiveCounter();
  LiveCounter(const LiveCounter&) = delete;
  LiveCounter& operator=(const LiveCounter&) = delete;

  // Creates and maps the shared memory (close-on-exec; the child dup2s it to
  // kLiveCounterFd). False when the system refuses; the run goes on without it.
  bool open();
  bool is_open() const { return map_ != nullptr; }
  int fd() const { return fd_; }
  // Moves the fd to one at or above `lowest` (so the child's dup2 onto fds 3
  // and 4 cannot overwrite it).
  void move_fd_above(int lowest);
  // The live requested bytes the worker last published (0 before it starts;
  // within threads x 64 KiB of the exact figure, see GlobalLive).
  uint64_t read() const;

 private:
  int fd_ = -1;
  void* map_ = nullptr;
};

}  // namespace allocscope
