// Memcheck sees heap errors in the binmalloc heap: a one-byte overflow and a
// use after free in programs/memcheck_target.c.  The binmalloc build of the
// program is linked against libbinmalloc.so and valgrind is told not to
// replace its allocator (--soname-synonyms=somalloc=nouserintercepts), so
// memcheck only knows the blocks through binmalloc's client requests.
// In the glibc reference mode the plain build runs under default valgrind.
#include <regex>
#include <sstream>

#include "tests/binmalloc/bm_driver.h"

namespace bmtest {
namespace {

RunResult run_valgrind(const std::string &valgrind, const std::vector<std::string> &extra_opts,
                       const std::vector<std::string> &prog_args) {
  RunOptions o;
  o.preload = false;  // the binmalloc build links the library itself
  o.timeout_s = 150;
  o.argv = {valgrind, "--tool=memcheck", "--trace-children=no", "--num-callers=12", "--fullpath-after="};
  o.argv.insert(o.argv.end(), extra_opts.begin(), extra_opts.end());
  if (mode() == Mode::kBinmalloc) {
    o.argv.push_back("--soname-synonyms=somalloc=nouserintercepts");
#ifdef BMTEST_PROG_MEMCHECK_LINKED
    o.argv.push_back(BMTEST_PROG_MEMCHECK_LINKED);
#endif
    o.env = {{"BMTEST_EXPECT_BINMALLOC", "1"}};
  } else {
    o.argv.push_back(BMTEST_PROG_MEMCHECK_PLAIN);
  }
  o.argv.insert(o.argv.end(), prog_args.begin(), prog_args.end());
  return run(o);
}

// The allocation frame must be binmalloc's own code (binmalloc mode) or
// valgrind's replacement (glibc reference mode).
void expect_frame_from_heap(const std::string &frame) {
  ASSERT_FALSE(frame.empty());
  if (mode() == Mode::kBinmalloc) {
    EXPECT_EQ(frame.find("vg_replace_malloc"), std::string::npos) << frame;
    EXPECT_EQ(frame.find("vgpreload_memcheck"), std::string::npos) << frame;
    EXPECT_TRUE(frame.find("binmalloc") != std::string::npos || frame.find("allocator/src") != std::string::npos)
        << "allocation frame is not in binmalloc: " << frame;
  } else {
    EXPECT_TRUE(frame.find("vg_replace_malloc") != std::string::npos ||
                frame.find("vgpreload_memcheck") != std::string::npos)
        << frame;
  }
}

// The first stack frame after the line matching `header`.
std::string first_frame_after(const std::string &log, const std::string &header) {
  std::istringstream is(log);
  std::string line;
  bool seen = false;
  while (std::getline(is, line)) {
    if (seen && line.find(" at 0x") != std::string::npos) return line;
    if (line.find(header) != std::string::npos) seen = true;
  }
  return "";
}

class BinmallocMemcheck : public ::testing::Test {
 protected:
  void SetUp() override {
    BMTEST_REQUIRE_ALLOCATOR();
    auto vg = find_program("valgrind");
    if (!vg) GTEST_SKIP() << "valgrind is not installed";
    // One valgrind run serves all tests of the fixture in this process.
    static const RunResult cached = run_valgrind(*vg, {}, {});
    r_ = cached;
    ASSERT_TRUE(r_.ok()) << r_.describe();
    ASSERT_NE(r_.out.find("done"), std::string::npos) << r_.describe();
  }
  RunResult r_;
};

TEST_F(BinmallocMemcheck, ReportsOverflowAndUseAfterFree) {
  const std::string &log = r_.err;
  EXPECT_NE(log.find("Invalid write of size 1"), std::string::npos) << log;
  EXPECT_NE(log.find("Invalid read of size 1"), std::string::npos) << log;
  EXPECT_NE(log.find("is 0 bytes after a block of size 10 alloc'd"), std::string::npos)
      << "the overflow is not attributed to a heap block (MALLOCLIKE client requests?)\n"
      << log;
  EXPECT_NE(log.find("is 5 bytes inside a block of size 200 free'd"), std::string::npos)
      << "the use after free is not attributed to a freed heap block (FREELIKE?)\n"
      << log;
}

TEST_F(BinmallocMemcheck, BlocksComeFromTheRightHeap) {
  std::string alloc_frame = first_frame_after(r_.err, "block of size 10 alloc'd");
  ASSERT_FALSE(alloc_frame.empty()) << r_.err;
  expect_frame_from_heap(alloc_frame);
}

TEST_F(BinmallocMemcheck, NoOtherErrors) {
  // Exactly the two planted errors: the allocator's own metadata accesses
  // must not show up as invalid accesses.
  std::smatch m;
  std::regex re(R"(ERROR SUMMARY: (\d+) errors from (\d+) contexts)");
  ASSERT_TRUE(std::regex_search(r_.err, m, re)) << r_.err;
  EXPECT_EQ(m[1].str(), "2") << r_.err;
}

TEST(BinmallocMemcheckMore, OtherEntryPointsUninitialisedAndLeaks) {
  // Blocks from realloc, calloc and memalign are described with their exact
  // size, malloc'd memory is undefined, and a lost block is reported.
  BMTEST_REQUIRE_ALLOCATOR();
  auto vg = find_program("valgrind");
  if (!vg) GTEST_SKIP() << "valgrind is not installed";
  RunResult r = run_valgrind(*vg, {"--leak-check=full"}, {"more"});
  ASSERT_TRUE(r.ok()) << r.describe();
  ASSERT_NE(r.out.find("done"), std::string::npos) << r.describe();
  const std::string &log = r.err;
  for (const char *size : {"40", "15", "24"}) {
    std::regex re(std::string(R"(is 0 bytes after a (recently re-allocated )?block of size )") + size + " alloc'd");
    EXPECT_TRUE(std::regex_search(log, re)) << "no overflow report for the block of " << size << "\n" << log;
  }
  EXPECT_NE(log.find("Conditional jump or move depends on uninitialised value(s)"), std::string::npos)
      << "malloc'd memory is not undefined for memcheck\n"
      << log;
  EXPECT_NE(log.find("77 bytes in 1 blocks are definitely lost"), std::string::npos) << log;
  expect_frame_from_heap(first_frame_after(log, "77 bytes in 1 blocks are definitely lost"));
  std::smatch m;
  ASSERT_TRUE(std::regex_search(log, m, std::regex(R"(ERROR SUMMARY: (\d+) errors)"))) << log;
  EXPECT_EQ(m[1].str(), "5") << log;
}

}  // namespace
}  // namespace bmtest
