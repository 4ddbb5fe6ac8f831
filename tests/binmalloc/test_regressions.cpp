// Regressions of bugs found by the C library's own malloc tests (issue 15),
// through the drop-in library (programs/regressions.c).  Each scenario runs
// its racy part several times in child processes with their own time limit,
// so a hang is a failure, not a stalled test.
#include "tests/binmalloc/bm_driver.h"

namespace bmtest {
namespace {

void run_scenario(const std::string &scenario, int timeout_s = 90) {
  RunOptions o;
  o.argv = {BMTEST_PROG_REGRESSIONS, scenario};
  o.timeout_s = timeout_s;
  o.env["LIBC_FATAL_STDERR_"] = "1";
  RunResult r = run(o);
  ASSERT_FALSE(r.timed_out) << r.describe();
  EXPECT_TRUE(r.ok()) << r.describe();
  EXPECT_EQ(r.err, "") << r.describe();
}

// A cache set up while the arena had no room is an mmapped chunk; thread exit
// freed it through the arena path ("double free or corruption (out)").
TEST(BinmallocRegressions, LateThreadCacheIsMmappedChunk) {
  BMTEST_REQUIRE_ALLOCATOR();
  run_scenario("late_tcache_mmapped");
}

// The C library's thread-failure test reduced: calloc until ENOMEM under an
// address-space limit in two threads, then free everything.
TEST(BinmallocRegressions, CallocUntilEnomemInTwoThreads) {
  BMTEST_REQUIRE_ALLOCATOR();
  run_scenario("calloc_until_enomem", 180);
}

TEST(BinmallocRegressions, PosixMemalignFailureSetsErrno) {
  BMTEST_REQUIRE_ALLOCATOR();
  run_scenario("posix_memalign_errno");
}

TEST(BinmallocRegressions, MalloptCheckActionAccepted) {
  BMTEST_REQUIRE_ALLOCATOR();
  run_scenario("mallopt_check_action");
}

TEST(BinmallocRegressions, MallocStatsCompleteUnderPendingCancellation) {
  BMTEST_REQUIRE_ALLOCATOR();
  run_scenario("malloc_stats_cancelled");
}

// Forks from signal handlers in a single-threaded process, while it
// allocates and forks itself: must never hang (no fork locks without threads).
TEST(BinmallocRegressions, ForkInSignalHandlerNeverHangs) {
  BMTEST_REQUIRE_ALLOCATOR();
  run_scenario("fork_in_signal_handler");
}

// Forking thread + fflush(NULL) thread + getline threads: no lock-order
// cycle between the allocator's fork locks and stdio's locks.
TEST(BinmallocRegressions, ForkWithStdioThreadsNeverHangs) {
  BMTEST_REQUIRE_ALLOCATOR();
  run_scenario("fork_stdio_deadlock");
}

// memalign(2^63, n) crashed (the C library's too-large test): the size check wrapped.
TEST(BinmallocRegressions, HugeAlignmentFailsCleanly) {
  BMTEST_REQUIRE_ALLOCATOR();
  run_scenario("huge_alignment");
}

// A request no process can have costs one try at the system, as in the C
// library: no new arena to map the same size again, no second try in realloc
// (the C library's too-large test ran 1.5x as long as under the C library).
TEST(BinmallocRegressions, ImpossibleSizeTriesTheSystemOnce) {
  BMTEST_REQUIRE_ALLOCATOR();
  run_scenario("impossible_sizes_once");
}

// Threads forking at once: a shared "prepare took the locks" flag left every
// lock held after one of the forks (the C library's fork-deadlock test hung).
TEST(BinmallocRegressions, ConcurrentForksNeverHang) {
  BMTEST_REQUIRE_ALLOCATOR();
  run_scenario("concurrent_forks");
}

// The break cannot move: the main arena goes on in an mmapped region and the
// old top's rest (in the unsorted bin) sits before a fencepost whose size word
// is exactly 16; the unsorted scan took it for a corrupt size ("malloc():
// invalid next size (unsorted)", once in the C library's thread-failure test).
TEST(BinmallocRegressions, MainArenaFallbackPastBlockedBreak) {
  BMTEST_REQUIRE_ALLOCATOR();
  run_scenario("brk_blocked_fallback");
}

TEST(BinmallocRegressions, ScenarioListMatchesProgram) {
  RunOptions o;
  o.argv = {BMTEST_PROG_REGRESSIONS, "--list"};
  o.preload = false;
  RunResult r = run(o);
  ASSERT_TRUE(r.ok()) << r.describe();
  EXPECT_EQ(r.out,
            "late_tcache_mmapped\n"
            "calloc_until_enomem\n"
            "posix_memalign_errno\n"
            "mallopt_check_action\n"
            "malloc_stats_cancelled\n"
            "fork_in_signal_handler\n"
            "fork_stdio_deadlock\n"
            "huge_alignment\n"
            "impossible_sizes_once\n"
            "concurrent_forks\n"
            "brk_blocked_fallback\n");
}

}  // namespace
}  // namespace bmtest
