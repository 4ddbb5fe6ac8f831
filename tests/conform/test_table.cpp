// The conformance table: applicability from glibc's row, what each cell
// shows, and its JSON round trip.
#include <gtest/gtest.h>

#include "harness/conform/table.hpp"

using namespace allocscope::conform;

namespace {

Table sample() {
  Table t;
  t.tests = {{"tst-a", ""}, {"tst-b", ""}, {"tst-c", "needs glibc internals"}};
  t.allocators = {{"glibc", "2.36", ""}, {"other", "1.0", "/lib/other.so"}};
  t.cells[{"tst-a", "glibc"}] = {"pass", "", 0, 0, 0.1};
  t.cells[{"tst-a", "other"}] = {"crash", "signal 11 (Segmentation fault)", -1, 11, 0.2, "logs/tst-a.other.txt"};
  t.cells[{"tst-b", "glibc"}] = {"fail", "error: x", 1, 0, 0.1};
  t.cells[{"tst-b", "other"}] = {"pass", "", 0, 0, 0.1};
  return t;
}

}  // namespace

TEST(ConformTable, ApplicableOnlyWhereGlibcPasses) {
  Table t = sample();
  EXPECT_TRUE(t.applicable("tst-a"));
  EXPECT_FALSE(t.applicable("tst-b"));
  EXPECT_FALSE(t.applicable("tst-c"));
}

TEST(ConformTable, ShownCells) {
  Table t = sample();
  EXPECT_EQ(t.shown("tst-a", "other"), "crash");
  EXPECT_EQ(t.shown("tst-b", "other"), "n/a");
  EXPECT_EQ(t.shown("tst-b", "glibc"), "fail (n/a)");
  EXPECT_EQ(t.shown("tst-c", "other"), "skipped");
}

TEST(ConformTable, JsonRoundTrip) {
  Table t = sample();
  auto doc = to_json(t, {{"host", "h"}});
  EXPECT_EQ(doc["schema"], "allocscope.conform/1");
  Table back = table_from_json(doc);
  ASSERT_EQ(back.allocators.size(), 2u);
  EXPECT_EQ(back.allocators[1].preload, "/lib/other.so");
  ASSERT_NE(back.cell("tst-a", "other"), nullptr);
  EXPECT_EQ(back.cell("tst-a", "other")->signal, 11);
  EXPECT_EQ(back.cell("tst-a", "other")->log, "logs/tst-a.other.txt");
  EXPECT_EQ(back.cell("tst-b", "other")->log, "");
  EXPECT_EQ(back.tests[2].skip_reason, "needs glibc internals");
  EXPECT_THROW(table_from_json({{"schema", "other"}}), std::exception);
}

TEST(ConformTable, MarkdownCountsApplicablePasses) {
  std::string md = to_markdown(sample());
  EXPECT_NE(md.find("| tst-a | pass | crash |"), std::string::npos) << md;
  EXPECT_NE(md.find("| **passed (of applicable)** | 1/1 | 0/1 |"), std::string::npos) << md;
  EXPECT_NE(md.find("tst-c: needs glibc internals"), std::string::npos) << md;
  EXPECT_NE(md.find("tst-a under other: signal 11 (Segmentation fault) (output: logs/tst-a.other.txt)"),
            std::string::npos)
      << md;
}
