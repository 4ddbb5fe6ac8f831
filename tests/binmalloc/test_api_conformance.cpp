// Conformance of every allocation entry point, through the drop-in library:
// each scenario of programs/api_conformance.c and programs/cxx_operators.cpp
// runs in its own process with libbinmalloc.so preloaded.
#include <sys/stat.h>

#include <algorithm>
#include <sstream>

#include "bm_driver.h"

namespace bmtest {
namespace {

const std::vector<std::string> kCScenarios = {
    "malloc_zero",       "malloc_huge",           "malloc_sizes",         "calloc_overflow",
    "calloc_zeroed",     "realloc_content",       "realloc_null",         "realloc_zero",
    "realloc_huge",      "reallocarray",          "aligned_entry_points", "aligned_huge",
    "posix_memalign_einval", "aligned_alloc_einval", "usable_size",       "free_null",
    "free_errno",        "mallopt",               "perturb",              "mallinfo2",
    "malloc_stats",      "malloc_info",           "malloc_trim",          "interposed_symbols"};

const std::vector<std::string> kCxxScenarios = {"plain",     "nothrow",     "aligned",
                                                "bad_alloc", "new_handler", "interposed_operators"};

std::vector<std::string> list_of(const std::string& program) {
  RunOptions o;
  o.argv = {program, "--list"};
  o.preload = false;
  RunResult r = run(o);
  std::vector<std::string> names;
  std::istringstream is(r.out);
  std::string line;
  while (std::getline(is, line))
    if (!line.empty()) names.push_back(line);
  return names;
}

// Runs one scenario; returns normally when it passed, records failures
// otherwise.  Scenarios may print "SKIP: reason" on stdout.
void run_scenario(const std::string& program, const std::string& scenario,
                  std::map<std::string, std::string> env, bool stderr_must_be_empty,
                  RunResult* out = nullptr) {
  RunOptions o;
  o.argv = {program, scenario};
  o.env = std::move(env);
  o.timeout_s = 120;
  RunResult r = run(o);
  EXPECT_TRUE(r.ok()) << "scenario " << scenario << " failed under " << mode_name() << "\n"
                      << r.describe();
  EXPECT_EQ(r.err.find("FAIL:"), std::string::npos) << r.describe();
  EXPECT_EQ(r.err.find("cannot be preloaded"), std::string::npos) << r.describe();
  if (stderr_must_be_empty) {
    EXPECT_EQ(r.err, "") << "unexpected output on stderr\n" << r.describe();
  }
  if (out) *out = r;
}

class CApi : public ::testing::TestWithParam<std::string> {};

TEST_P(CApi, Scenario) {
  BMTEST_REQUIRE_ALLOCATOR();
  const std::string& sc = GetParam();
  std::map<std::string, std::string> env;
  if (sc == "perturb") env = tcache_off_env();
  bool is_stats = sc == "malloc_stats";
  RunResult r;
  run_scenario(BMTEST_PROG_API, sc, env, !is_stats, &r);
  if (is_stats) {
    // malloc_stats() reports on stderr, not stdout, in ptmalloc's format.
    EXPECT_EQ(r.out, "") << r.describe();
    EXPECT_NE(r.err.find("system bytes"), std::string::npos)
        << "malloc_stats wrote no \"system bytes\" line to stderr\n"
        << r.describe();
    EXPECT_NE(r.err.find("in use bytes"), std::string::npos) << r.describe();
  }
  auto skip = r.out.find("SKIP: ");
  if (skip != std::string::npos) GTEST_SKIP() << r.out.substr(skip + 6);
}

INSTANTIATE_TEST_SUITE_P(BinmallocConformance, CApi, ::testing::ValuesIn(kCScenarios),
                         [](const auto& info) { return info.param; });

class CxxOperators : public ::testing::TestWithParam<std::string> {};

TEST_P(CxxOperators, Scenario) {
  BMTEST_REQUIRE_ALLOCATOR();
  RunResult r;
  run_scenario(BMTEST_PROG_CXX, GetParam(), {}, true, &r);
  auto skip = r.out.find("SKIP: ");
  if (skip != std::string::npos) GTEST_SKIP() << r.out.substr(skip + 6);
}

INSTANTIATE_TEST_SUITE_P(BinmallocConformance, CxxOperators, ::testing::ValuesIn(kCxxScenarios),
                         [](const auto& info) { return info.param; });

TEST(BinmallocConformance, ScenarioListsMatchPrograms) {
  // Keeps the driver's lists in sync with the programs (runs in every mode).
  EXPECT_EQ(list_of(BMTEST_PROG_API), kCScenarios);
  EXPECT_EQ(list_of(BMTEST_PROG_CXX), kCxxScenarios);
}

TEST(BinmallocConformance, LibraryIsBuilt) {
  if (mode() != Mode::kBinmalloc) GTEST_SKIP() << "mode: " << mode_name();
  struct stat st {};
  ASSERT_EQ(stat(lib_path().c_str(), &st), 0) << lib_path() << " does not exist";
  EXPECT_GT(st.st_size, 0);
}

TEST(BinmallocConformance, PreloadIsEffective) {
  // Without this, a wrong path would silently test glibc: the loader only
  // warns about an object it cannot preload.
  if (mode() != Mode::kBinmalloc) GTEST_SKIP() << "mode: " << mode_name();
  RunOptions o;
  o.argv = {BMTEST_PROG_API, "free_null"};
  RunResult r = run(o);
  EXPECT_TRUE(r.ok()) << r.describe();
  EXPECT_EQ(r.err, "") << r.describe();
}

}  // namespace
}  // namespace bmtest
