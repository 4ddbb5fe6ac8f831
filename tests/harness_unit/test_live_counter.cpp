// The live-bytes counter shared with the worker: what the worker publishes in
// the mapping is what the launcher reads, and its fd stays clear of the fds
// the child is given.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <new>

#include "allocscope/thread_stats.hpp"
#include "harness/runner/live_counter.hpp"

using namespace allocscope;

TEST(LiveCounter, ReadsWhatTheWorkerSidePublishes) {
  LiveCounter c;
  ASSERT_TRUE(c.open());
  ASSERT_TRUE(c.is_open());
  EXPECT_EQ(c.read(), 0u) << "zero before the worker constructs its counter";
  // The worker's side: its own mapping of the same memory, a GlobalLive in it.
  void* m = ::mmap(nullptr, sizeof(GlobalLive), PROT_READ | PROT_WRITE, MAP_SHARED, c.fd(), 0);
  ASSERT_NE(m, MAP_FAILED);
  auto* g = new (m) GlobalLive();
  g->add(5 << 20);
  EXPECT_EQ(c.read(), 5u << 20);
  g->add(-(3 << 20));
  EXPECT_EQ(c.read(), 2u << 20);
  EXPECT_EQ(g->peak.load(), 5 << 20);
  g->add(-(4 << 20));  // below zero (frees of blocks allocated before counting): read as nothing live
  EXPECT_EQ(c.read(), 0u);
  ::munmap(m, sizeof(GlobalLive));
}

TEST(LiveCounter, FdMovedAboveTheChildsFds) {
  LiveCounter c;
  ASSERT_TRUE(c.open());
  c.move_fd_above(10);
  EXPECT_GE(c.fd(), 10);
  EXPECT_GE(::fcntl(c.fd(), F_GETFD), 0);
  EXPECT_TRUE(::fcntl(c.fd(), F_GETFD) & FD_CLOEXEC) << "not inherited by other children";
}

TEST(LiveCounter, ClosedCounterReadsZero) {
  LiveCounter c;
  EXPECT_FALSE(c.is_open());
  EXPECT_EQ(c.read(), 0u);
}
