#include "harness/runner/live_counter.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "allocscope/thread_stats.hpp"

namespace allocscope {

namespace {
constexpr size_t kMapBytes = 4096;
static_assert(sizeof(GlobalLive) <= kMapBytes);
}  // namespace

LiveCounter::~LiveCounter() {
  if (map_) ::munmap(map_, kMapBytes);
  if (fd_ >= 0) ::close(fd_);
}

bool LiveCounter::open() {
  fd_ = ::memfd_create("allocscope-live", MFD_CLOEXEC);
  if (fd_ < 0) return false;
  void* m = MAP_FAILED;
  if (::ftruncate(fd_, kMapBytes) == 0) m = ::mmap(nullptr, kMapBytes, PROT_READ, MAP_SHARED, fd_, 0);
  if (m == MAP_FAILED) {
    ::close(fd_);
    fd_ = -1;
    return false;
  }
  map_ = m;
  return true;
}

void LiveCounter::move_fd_above(int lowest) {
  if (fd_ < 0 || fd_ >= lowest) return;
  int moved = ::fcntl(fd_, F_DUPFD_CLOEXEC, lowest);
  if (moved < 0) return;
  ::close(fd_);
  fd_ = moved;
}

uint64_t LiveCounter::read() const {
  if (!map_) return 0;
  // The worker constructs its GlobalLive at the start of the mapping; until
  // then the memory is zero, which reads as no live bytes.
  const auto* g = static_cast<const GlobalLive*>(map_);
  const int64_t live = g->live.load(std::memory_order_relaxed);
  return live > 0 ? static_cast<uint64_t>(live) : 0;
}

}  // namespace allocscope
