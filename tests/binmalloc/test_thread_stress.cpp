// Multithreaded stress through the drop-in library (programs/thread_stress.c):
// cross-thread frees through shared queues, many short-lived threads (more
// than the arena limit), and fork while other threads allocate.  Each run
// ends with binmalloc_check_heap().
#include "tests/binmalloc/bm_driver.h"

namespace bmtest {
namespace {

void run_stress(const std::string &scenario, int repeat = 1, std::map<std::string, std::string> env = {}) {
  for (int i = 0; i < repeat; ++i) {
    RunOptions o;
    o.argv = {BMTEST_PROG_STRESS, scenario};
    o.env = env;
    o.timeout_s = 150;
    RunResult r = run(o);
    ASSERT_TRUE(r.ok()) << "run " << i + 1 << " of " << repeat << "\n" << r.describe();
    EXPECT_EQ(r.err, "") << r.describe();
    if (!r.out.empty()) std::cout << "[ info     ] " << r.out;
  }
}

TEST(BinmallocThreads, CrossThreadFrees) {
  BMTEST_REQUIRE_ALLOCATOR();
  run_stress("cross_thread");
}

TEST(BinmallocThreads, CrossThreadFreesOneArenaNoCaches) {
  // All threads share one arena, no tcache and no fastbins: every operation
  // takes the arena lock and goes through the bins.
  BMTEST_REQUIRE_ALLOCATOR();
  run_stress("cross_thread", 1,
             {{"BINMALLOC_TCACHE_COUNT", "0"},
              {"BINMALLOC_MXFAST", "0"},
              {"BINMALLOC_ARENA_MAX", "1"},
              {"GLIBC_TUNABLES", "glibc.malloc.tcache_count=0:glibc.malloc.mxfast=0:glibc.malloc.arena_max=1"}});
}

TEST(BinmallocThreads, CrossThreadFreesFastbinsTwoArenas) {
  // No tcache: small blocks freed by a thread that does not own their arena
  // go to the owner's fastbins.
  BMTEST_REQUIRE_ALLOCATOR();
  run_stress("cross_thread", 1,
             {{"BINMALLOC_TCACHE_COUNT", "0"},
              {"BINMALLOC_ARENA_MAX", "2"},
              {"GLIBC_TUNABLES", "glibc.malloc.tcache_count=0:glibc.malloc.arena_max=2"}});
}

TEST(BinmallocThreads, ManyShortLivedThreads) {
  BMTEST_REQUIRE_ALLOCATOR();
  run_stress("thread_churn");
}

TEST(BinmallocThreads, ForkWhileAllocating) {
  BMTEST_REQUIRE_ALLOCATOR();
  run_stress("fork_while_allocating");
}

TEST(BinmallocThreads, OutOfMemoryInThreads) {
  // New threads under an address-space limit: no room for new arenas,
  // every thread runs dry with ENOMEM, then recovers.
  BMTEST_REQUIRE_ALLOCATOR();
  run_stress("oom_threads");
}

TEST(BinmallocThreads, ForkWhileThreadsSetUpArenas) {
  // Short runs; repeated because each process has only a few arena set-ups.
  BMTEST_REQUIRE_ALLOCATOR();
  run_stress("fork_during_arena_setup", 25);
}

}  // namespace
}  // namespace bmtest
