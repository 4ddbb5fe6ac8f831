// describe_threads and its parts: what a timed-out job's record says about
// where its threads were.
#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "harness/probes/task_state.hpp"

namespace allocscope {
namespace {

TEST(TaskState, MappedFileOffsetFindsTheMappingAndItsFileOffset) {
  const std::string maps =
      "7f0000000000-7f0000001000 r--p 00000000 08:01 123 /usr/lib/libfoo.so.1\n"
      "7f0000001000-7f0000003000 r-xp 00001000 08:01 123 /usr/lib/libfoo.so.1\n"
      "7f0000010000-7f0000011000 rw-p 00000000 00:00 0 \n";
  EXPECT_EQ(mapped_file_offset(maps, 0x7f0000001a2bUL), "libfoo.so.1+0x1a2b");
  EXPECT_EQ(mapped_file_offset(maps, 0x7f0000000010UL), "libfoo.so.1+0x10");
  EXPECT_EQ(mapped_file_offset(maps, 0x7f0000010020UL), "anonymous+0x20");
  EXPECT_EQ(mapped_file_offset(maps, 0x7f0000003000UL), "");  // the end is outside
  EXPECT_EQ(mapped_file_offset("", 0x1000), "");
}

TEST(TaskState, BlockingSyscallsAreNamed) {
  EXPECT_EQ(syscall_name(SYS_futex), "futex");
  EXPECT_EQ(syscall_name(SYS_clock_nanosleep), "clock_nanosleep");
  EXPECT_EQ(syscall_name(SYS_mmap), "mmap");  // the memory calls' names, kept with the seccomp trap's
  EXPECT_EQ(syscall_name(SYS_getpid), "syscall " + std::to_string(SYS_getpid));
}

// A child of this test sleeping in nanosleep: its main thread is reported
// first, sleeping in that call, at an address inside a mapped file.
TEST(TaskState, DescribesASleepingProcess) {
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    for (;;) {
      struct timespec ts {
        60, 0
      };
      ::syscall(SYS_nanosleep, &ts, nullptr);
    }
  }
  std::string d;
  for (int i = 0; i < 200 && d.find("nanosleep") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    d = describe_threads(pid);
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  const std::string head = "pid " + std::to_string(pid) + " tid " + std::to_string(pid) + ": S (sleeping) in nanosleep";
  EXPECT_EQ(d.rfind(head, 0), 0u) << d;
  EXPECT_NE(d.find(" at "), std::string::npos) << d;
  // Its main thread comes first; under TSan the runtime's own thread follows.
  EXPECT_EQ(describe_threads(pid), "");  // gone
}

TEST(TaskState, LimitsTheThreadsShown) {
  std::string d = describe_threads(::getpid(), 0);
  EXPECT_EQ(d.rfind("... ", 0), 0u) << d;
}

}  // namespace
}  // namespace allocscope
