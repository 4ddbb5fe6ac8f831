// Integrity checks: each crafted corruption (programs/heap_corruption.c) must
// make the allocator print exactly "<message>\n" on stderr, the C library's
// text for the same check, and abort with SIGABRT.  In the glibc reference
// mode the same crafting must trigger glibc's check with the same text.
#include <csignal>
#include <regex>
#include <tuple>

#include "tests/binmalloc/bm_driver.h"

namespace bmtest {
namespace {

struct Case {
  const char *scenario;
  const char *message;
  bool tcache_off;  // reach fastbin / bin paths directly
  // glibc 2.36 in a non-main arena reports these double frees as "(out)".
  const char *glibc_thread_regex = nullptr;
  // Once the process has threads the check fires earlier, with this text.
  const char *thread_message = nullptr;
};

const Case kCases[] = {
    {"tcache_double_free", "free(): double free detected in tcache 2", false},
    {"fasttop", "double free or corruption (fasttop)", true},
    {"double_free_top", "double free or corruption (top)", false, R"(double free or corruption \(out\))"},
    {"double_free_out", "double free or corruption (out)", false},
    {"double_free_prev", "double free or corruption (!prev)", false, R"(double free or corruption \(out\))"},
    {"invalid_pointer", "free(): invalid pointer", false},
    {"invalid_size", "free(): invalid size", false},
    {"invalid_next_size_fast", "free(): invalid next size (fast)", true},
    {"invalid_next_size_normal", "free(): invalid next size (normal)", false},
    {"size_vs_prev_size", "corrupted size vs. prev_size", false},
    {"double_linked_list", "corrupted double-linked list", false},
    {"corrupted_top_size", "malloc(): corrupted top size", false},
    {"unaligned_tcache", "malloc(): unaligned tcache chunk detected", false},
    {"unaligned_fastbin", "malloc(): unaligned fastbin chunk detected 2", true, nullptr,
     "malloc(): unaligned fastbin chunk detected"},
    {"smallbin_corrupted", "malloc(): smallbin double linked list corrupted", true},
    {"unsorted_corrupted", "malloc(): unsorted double linked list corrupted", false},
    {"munmap_invalid", "munmap_chunk(): invalid pointer", false},
};

void PrintTo(const Case &c, std::ostream *os) {
  *os << c.scenario;
}

std::string regex_escape(const std::string &s) {
  static const std::string special = R"(\^$.|?*+()[]{})";
  std::string out;
  for (char c : s) {
    if (special.find(c) != std::string::npos) out += '\\';
    out += c;
  }
  return out;
}

// Where the corrupted chunks live: the main arena (main thread) or the arena
// of a second thread.
class HeapCorruption : public ::testing::TestWithParam<std::tuple<std::string, Case>> {};

TEST_P(HeapCorruption, AbortsWithMessage) {
  BMTEST_REQUIRE_ALLOCATOR();
  const bool in_thread = std::get<0>(GetParam()) == "thread_arena";
  const Case &c = std::get<1>(GetParam());
  RunOptions o;
  o.argv = {BMTEST_PROG_CORRUPT, c.scenario};
  if (in_thread) o.argv.push_back("--in-thread");
  if (c.tcache_off) o.env = tcache_off_env();
  // glibc writes fatal messages to the terminal unless told otherwise.
  o.env["LIBC_FATAL_STDERR_"] = "1";
  o.timeout_s = 60;
  RunResult r = run(o);
  ASSERT_FALSE(r.timed_out) << r.describe();
  ASSERT_EQ(r.err.find("CRAFT FAILED"), std::string::npos)
      << "the corruption could not be crafted (layout differs from ptmalloc's?)\n"
      << r.describe();
  ASSERT_EQ(r.err.find("NOT DETECTED"), std::string::npos) << "the allocator did not detect the corruption\n"
                                                           << r.describe();
  EXPECT_TRUE(!r.exited && r.signal == SIGABRT) << "expected SIGABRT\n" << r.describe();
  const std::string message = in_thread && c.thread_message ? c.thread_message : c.message;
  if (mode() == Mode::kBinmalloc) {
    EXPECT_EQ(r.err, message + "\n") << r.describe();
  } else {
    std::string re = in_thread && c.glibc_thread_regex ? c.glibc_thread_regex : regex_escape(message);
    EXPECT_TRUE(std::regex_match(r.err, std::regex(re + "\n"))) << "glibc message does not match /" << re << "/\n"
                                                                << r.describe();
  }
}

INSTANTIATE_TEST_SUITE_P(BinmallocIntegrity, HeapCorruption,
                         ::testing::Combine(::testing::Values(std::string("main_arena"), std::string("thread_arena")),
                                            ::testing::ValuesIn(kCases)),
                         [](const auto &info) {
                           return std::get<0>(info.param) + "_" + std::string(std::get<1>(info.param).scenario);
                         });

TEST(BinmallocIntegrity, ScenarioListMatchesProgram) {
  RunOptions o;
  o.argv = {BMTEST_PROG_CORRUPT, "--list"};
  o.preload = false;
  RunResult r = run(o);
  std::string expected;
  for (const Case &c : kCases) expected += std::string(c.scenario) + "\n";
  EXPECT_EQ(r.out, expected);
}

}  // namespace
}  // namespace bmtest
