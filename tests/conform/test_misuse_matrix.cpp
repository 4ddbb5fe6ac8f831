// The heap-misuse matrix (allocscope probe --matrix) under the allocators:
// glibc's known catches, binmalloc catching at least every misuse glibc
// catches, and a complete, classified matrix for every other allocator.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "harness/conform/misuse_matrix.hpp"
#include "tests/harness/cli_runner.hpp"

using namespace allocscope;

namespace {

conform::MisuseMatrix run_matrix(const std::string& allocators) {
  test::TempDir tmp;
  auto r = test::run_cmd({ALLOCSCOPE_BIN, "probe", "--matrix", "--allocators", allocators, "--timeout", "10", "--jobs",
                          "2", "--out", tmp.path()});
  EXPECT_EQ(r.status, 0) << r.err;
  return conform::misuse_from_json(test::read_json(tmp.path() + "/misuse.json"));
}

bool stopped(const conform::MisuseCell* c) {
  return c && (c->outcome == "caught" || c->outcome == "late");
}

std::string describe(const conform::MisuseCell* c) {
  return c ? c->outcome + " (" + c->detail + (c->message.empty() ? "" : "; " + c->message) + ")" : "missing";
}

}  // namespace

// What glibc 2.36 stops on this platform, measured (docs/conformance.md).
TEST(MisuseMatrix, GlibcCatchesItsKnownCases) {
  conform::MisuseMatrix m = run_matrix("glibc");
  const std::vector<std::pair<std::string, std::string>> expected{
#include "tests/conform/glibc_catches.inc"
  };
  for (const auto& [c, size] : expected)
    EXPECT_TRUE(stopped(m.cell(c, size, "glibc"))) << c << " at " << size << ": " << describe(m.cell(c, size, "glibc"));
}

TEST(MisuseMatrix, BinmallocCatchesEverythingGlibcCatches) {
  conform::MisuseMatrix m = run_matrix("glibc,binmalloc");
  int compared = 0;
  for (const auto& c : m.cases)
    for (const auto& size : m.sizes) {
      if (!stopped(m.cell(c.name, size, "glibc"))) continue;
      ++compared;
      EXPECT_TRUE(stopped(m.cell(c.name, size, "binmalloc")))
          << c.name << " at " << size << ": glibc " << describe(m.cell(c.name, size, "glibc")) << ", binmalloc "
          << describe(m.cell(c.name, size, "binmalloc"));
    }
  EXPECT_GT(compared, 20) << "glibc caught too few cases for the comparison to mean anything";
}

TEST(MisuseMatrix, EveryAllocatorGetsAClassifiedCell) {
  conform::MisuseMatrix m = run_matrix("all");
  const std::set<std::string> outcomes{"caught", "late", "crashed", "timeout", "not-caught"};
  EXPECT_GE(m.cases.size(), 32u);
  EXPECT_EQ(m.sizes.size(), 3u);
  for (const auto& a : m.allocators)
    for (const auto& c : m.cases)
      for (const auto& size : m.sizes) {
        const conform::MisuseCell* cell = m.cell(c.name, size, a.name);
        ASSERT_NE(cell, nullptr) << c.name << " " << size << " " << a.name;
        EXPECT_TRUE(outcomes.count(cell->outcome)) << cell->outcome;
      }
  // Impossible sizes must never hand out memory, whatever the allocator.
  for (const auto& a : m.allocators)
    for (const auto& size : m.sizes)
      for (const char* c : {"malloc_size_max", "calloc_overflow"})
        EXPECT_NE(m.cell(c, size, a.name)->outcome, "not-caught") << a.name << " " << c << " " << size;
}
