// Multithreaded stress through the drop-in library (programs/thread_stress.c):
// cross-thread frees through shared queues, many short-lived threads (more
// than the arena limit), and fork while other threads allocate.  Each run
// ends with binmalloc_check_heap().
#include <regex>
#include <sstream>

#include "bm_driver.h"

namespace bmtest {
namespace {

// Known binmalloc issue (see the test report): a thread that sets up a new
// arena counts it (bm_narenas++) and drops the arena-list lock before linking
// it; a fork in that window leaves the child with a count one higher than the
// list, and binmalloc_check_heap() in the child aborts with "heap check:
// arena count mismatch".  Recognised only when it is the sole failure.
bool only_known_arena_count_issue(const RunResult& r) {
  if (mode() != Mode::kBinmalloc) return false;
  if (r.err.find("binmalloc: heap check: arena count mismatch") == std::string::npos) return false;
  static const std::regex child_line(
      R"(FAIL: .*: fork (round )?\d+: child (killed by signal 6|exited with 13))");
  std::istringstream is(r.err);
  std::string line;
  while (std::getline(is, line)) {
    if (line.empty() || line == "binmalloc: heap check: arena count mismatch") continue;
    if (std::regex_match(line, child_line)) continue;
    return false;
  }
  return r.exited && r.exit_code == 1;
}

void run_stress(const std::string& scenario, int repeat = 1,
                std::map<std::string, std::string> env = {}) {
  for (int i = 0; i < repeat; ++i) {
    RunOptions o;
    o.argv = {BMTEST_PROG_STRESS, scenario};
    o.env = env;
    o.timeout_s = 150;
    RunResult r = run(o);
    if (!r.ok() && only_known_arena_count_issue(r)) {
      GTEST_SKIP() << "known issue: fork while another thread is setting up its arena leaves "
                      "the child with bm_narenas one higher than the arena list; "
                      "binmalloc_check_heap() in the child aborts with \"heap check: arena "
                      "count mismatch\" (run "
                   << i + 1 << " of " << repeat << ")\n"
                   << r.describe();
    }
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
              {"GLIBC_TUNABLES",
               "glibc.malloc.tcache_count=0:glibc.malloc.mxfast=0:glibc.malloc.arena_max=1"}});
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

TEST(BinmallocThreads, ForkWhileThreadsSetUpArenas) {
  // Short runs; repeated because each process has only a few arena set-ups.
  BMTEST_REQUIRE_ALLOCATOR();
  run_stress("fork_during_arena_setup", 25);
}

}  // namespace
}  // namespace bmtest
