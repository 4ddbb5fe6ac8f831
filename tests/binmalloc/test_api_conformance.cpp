// Conformance of every allocation entry point, through the drop-in library:
// each scenario of programs/api_conformance.c and programs/cxx_operators.cpp
// runs in its own process with libbinmalloc.so preloaded.
#include <sys/stat.h>

#include <algorithm>
#include <sstream>
#include <tuple>

#include "tests/binmalloc/bm_driver.h"

namespace bmtest {
namespace {

const std::vector<std::string> kCScenarios = {"malloc_zero",
                                              "malloc_huge",
                                              "malloc_sizes",
                                              "calloc_overflow",
                                              "calloc_zeroed",
                                              "realloc_content",
                                              "realloc_null",
                                              "realloc_zero",
                                              "realloc_huge",
                                              "reallocarray",
                                              "aligned_entry_points",
                                              "aligned_huge",
                                              "aligned_huge_alignment",
                                              "posix_memalign_einval",
                                              "aligned_alloc_einval",
                                              "usable_size",
                                              "free_null",
                                              "free_errno",
                                              "mallopt",
                                              "perturb",
                                              "mallinfo2",
                                              "malloc_stats",
                                              "malloc_info",
                                              "malloc_trim",
                                              "random_ops",
                                              "out_of_memory",
                                              "interposed_symbols"};

const std::vector<std::string> kCxxScenarios = {"plain",     "nothrow",     "aligned",
                                                "bad_alloc", "new_handler", "interposed_operators"};

std::vector<std::string> list_of(const std::string &program) {
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
void run_scenario(const std::string &program, const std::string &scenario, std::map<std::string, std::string> env,
                  bool stderr_must_be_empty, RunResult *out = nullptr, bool in_thread = false) {
  RunOptions o;
  o.argv = {program, scenario};
  if (in_thread) o.argv.push_back("--in-thread");
  o.env = std::move(env);
  o.timeout_s = 120;
  RunResult r = run(o);
  EXPECT_TRUE(r.ok()) << "scenario " << scenario << " failed under " << mode_name() << "\n" << r.describe();
  EXPECT_EQ(r.err.find("FAIL:"), std::string::npos) << r.describe();
  EXPECT_EQ(r.err.find("cannot be preloaded"), std::string::npos) << r.describe();
  if (stderr_must_be_empty) {
    EXPECT_EQ(r.err, "") << "unexpected output on stderr\n" << r.describe();
  }
  if (out) *out = r;
}

// Allocator configurations the C scenarios run under (environment tunables
// for binmalloc and their glibc equivalents).
struct Config {
  const char *name;
  std::map<std::string, std::string> env;
  // Scenarios that depend on a feature this configuration turns off.
  std::vector<std::string> not_applicable;
  bool in_thread = false;
};

const std::vector<Config> &configs() {
  static const std::vector<Config> kConfigs = {
      {"default", {}, {}},
      // Every request reaches the arena: fastbins, bins, top.
      {"tcache_off", tcache_off_env(), {}},
      // No tcache, no fastbins and a single arena: everything through the
      // bins under one lock.
      {"bins_only",
       {{"BINMALLOC_TCACHE_COUNT", "0"},
        {"BINMALLOC_MXFAST", "0"},
        {"BINMALLOC_ARENA_MAX", "1"},
        {"GLIBC_TUNABLES", "glibc.malloc.tcache_count=0:glibc.malloc.mxfast=0:glibc.malloc.arena_max=1"}},
       {"mallinfo2" /* counts fast chunks */}},
      // Perturbation on for the whole run (0xa5).
      {"perturbed",
       {{"BINMALLOC_PERTURB", "165"}, {"GLIBC_TUNABLES", "glibc.malloc.perturb=165"}},
       {"perturb" /* sets its own byte */}},
      // No mmapped chunks: large blocks come from the heap too.
      {"no_mmap",
       {{"BINMALLOC_MMAP_MAX", "0"}, {"GLIBC_TUNABLES", "glibc.malloc.mmap_max=0"}},
       {"usable_size", "mallinfo2", "realloc_zero" /* expect mmapped chunks */}},
      // Trim the top on every free that reaches it, with no padding.
      {"eager_trim",
       {{"BINMALLOC_TRIM_THRESHOLD", "0"},
        {"BINMALLOC_TOP_PAD", "0"},
        {"GLIBC_TUNABLES", "glibc.malloc.trim_threshold=0:glibc.malloc.top_pad=0"}},
       {}},
      // The C library's fixed cache: no bin deepens, nothing above
      // tcache_max (1032 bytes) is cached.
      {"fixed_cache", {{"BINMALLOC_TCACHE_DEPTH", "7"}}, {}},
      // The scenario runs in a second thread, i.e. in a non-main arena.
      {"thread_arena", {}, {}, true},
  };
  return kConfigs;
}

class CApi : public ::testing::TestWithParam<std::tuple<std::string, std::string>> {};

TEST_P(CApi, Scenario) {
  BMTEST_REQUIRE_ALLOCATOR();
  const std::string &cfg_name = std::get<0>(GetParam());
  const std::string &sc = std::get<1>(GetParam());
  const Config *cfg = nullptr;
  for (const Config &c : configs())
    if (cfg_name == c.name) cfg = &c;
  ASSERT_NE(cfg, nullptr);
  for (const auto &na : cfg->not_applicable)
    if (na == sc) GTEST_SKIP() << "scenario " << sc << " does not apply to configuration " << cfg_name;
  std::map<std::string, std::string> env = cfg->env;
  if (sc == "perturb") env = tcache_off_env();
  bool is_stats = sc == "malloc_stats";
  RunResult r;
  run_scenario(BMTEST_PROG_API, sc, env, !is_stats, &r, cfg->in_thread);
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

std::vector<std::string> config_names() {
  std::vector<std::string> names;
  for (const Config &c : configs()) names.push_back(c.name);
  return names;
}

INSTANTIATE_TEST_SUITE_P(BinmallocConformance, CApi,
                         ::testing::Combine(::testing::ValuesIn(config_names()), ::testing::ValuesIn(kCScenarios)),
                         [](const auto &info) { return std::get<0>(info.param) + "_" + std::get<1>(info.param); });

class CxxOperators : public ::testing::TestWithParam<std::string> {};

TEST_P(CxxOperators, Scenario) {
  BMTEST_REQUIRE_ALLOCATOR();
  RunResult r;
  run_scenario(BMTEST_PROG_CXX, GetParam(), {}, true, &r);
  auto skip = r.out.find("SKIP: ");
  if (skip != std::string::npos) GTEST_SKIP() << r.out.substr(skip + 6);
}

INSTANTIATE_TEST_SUITE_P(BinmallocConformance, CxxOperators, ::testing::ValuesIn(kCxxScenarios),
                         [](const auto &info) { return info.param; });

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
