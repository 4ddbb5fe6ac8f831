// allocscope conform keeps the output of a run that did not pass: jemalloc
// fails glibc's tst-memalign with three messages, of which the table's
// message can quote one; the log holds all three.  glibc passes and gets no log.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "harness/conform/table.hpp"
#include "tests/harness/cli_runner.hpp"

using namespace allocscope;

namespace {

int count(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(ConformLogs, OutputOfAFailingRunIsKept) {
  test::TempDir tmp;
  auto r = test::run_cmd({ALLOCSCOPE_BIN, "conform", "--allocators", "jemalloc", "--tests", "tst-memalign", "--timeout",
                          "90", "--out", tmp.path()});
  ASSERT_EQ(r.status, 0) << r.err;
  conform::Table t = conform::table_from_json(test::read_json(tmp.path() + "/conform.json"));
  const conform::Outcome* g = t.cell("tst-memalign", "glibc");
  const conform::Outcome* j = t.cell("tst-memalign", "jemalloc");
  ASSERT_TRUE(g && j) << r.out;
  ASSERT_EQ(j->status, "fail") << "jemalloc 5.3 fails tst-memalign (docs/conformance.md): " << j->message;
  EXPECT_EQ(g->status, "pass") << g->message;
  EXPECT_EQ(g->log, "");
  ASSERT_EQ(j->log, "logs/tst-memalign.jemalloc.txt");
  const std::string log = test::read_text(tmp.path() + "/" + j->log);
  EXPECT_EQ(count(log, "errno is not set correctly"), 3) << log;
  const size_t quoted = j->message.find("Error: ");
  ASSERT_NE(quoted, std::string::npos) << j->message;
  EXPECT_NE(log.find(j->message.substr(quoted)), std::string::npos) << j->message << "\n" << log;
  EXPECT_FALSE(std::filesystem::exists(tmp.path() + "/logs/tst-memalign.glibc.txt"));
  EXPECT_NE(test::read_text(tmp.path() + "/conform.md").find("(output: logs/tst-memalign.jemalloc.txt)"),
            std::string::npos);
}

}  // namespace
