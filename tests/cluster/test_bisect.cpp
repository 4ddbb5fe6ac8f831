// allocscope bisect on a small scripted git repository: 8 commits, the
// measurement (the number in the file `value`) changes exactly at the 6th.
#include <gtest/gtest.h>

#include <cstdlib>

#include "tests/reliability/cli_runner.hpp"

using rt::json;

namespace {

std::string sh(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  char buf[256];
  while (p && fgets(buf, sizeof buf, p)) out += buf;
  if (p) pclose(p);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

// A repository whose commit k (1-based) holds value `value_of(k)`; returns the commit ids.
std::vector<std::string> make_repo(const std::string& dir, double (*value_of)(int)) {
  std::string git = "git -C " + dir + " -c user.name=t -c user.email=t@t ";
  sh(git + "init -q");
  std::vector<std::string> ids;
  for (int k = 1; k <= 8; ++k) {
    rt::write_text(dir + "/value", std::to_string(value_of(k)) + "\n");
    rt::write_text(dir + "/notes", "commit " + std::to_string(k) + "\n");
    sh(git + "add value notes && " + git + "commit -q -m 'commit " + std::to_string(k) + "'");
    ids.push_back(sh(git + "rev-parse HEAD"));
  }
  return ids;
}

}  // namespace

TEST(Bisect, FindsTheFirstBadCommit) {
  const std::string dir = rt::fresh_dir("bisect-repo");
  auto ids = make_repo(dir, [](int k) { return k < 6 ? 100.0 : 150.0; });
  auto r = rt::run_cli({"bisect", "--repo", dir, "--good", ids[0], "--bad", ids[7], "--json", "--", "sh", "-c",
                        "echo building $ALLOCSCOPE_BISECT_REV; cat value"});
  ASSERT_EQ(r.rc, 0) << r.err;
  json j = json::parse(r.out);
  EXPECT_EQ(j["first_bad"], ids[5]);
  EXPECT_EQ(j["certain"], true);
  EXPECT_NE(j["subject"].get<std::string>().find("commit 6"), std::string::npos);
  EXPECT_EQ(j["steps"].size(), 3u);                                // 7 candidates: 3 halvings
  EXPECT_EQ(sh("git -C " + dir + " worktree list | wc -l"), "1");  // the scratch worktree is gone
}

TEST(Bisect, EndsThatDoNotDifferAreRefused) {
  const std::string dir = rt::fresh_dir("bisect-flat");
  auto ids = make_repo(dir, [](int) { return 100.0; });
  auto r = rt::run_cli(
      {"bisect", "--repo", dir, "--good", ids[0], "--bad", ids[7], "--max-rounds", "5", "--", "cat", "value"});
  EXPECT_EQ(r.rc, 2);
  EXPECT_NE(r.err.find("do not differ"), std::string::npos) << r.err;
  auto bad = rt::run_cli({"bisect", "--repo", dir, "--good", ids[7], "--bad", ids[0], "--", "cat", "value"});
  EXPECT_EQ(bad.rc, 2);  // good after bad
  auto nocmd = rt::run_cli({"bisect", "--repo", dir, "--good", ids[0], "--bad", ids[7]});
  EXPECT_EQ(nocmd.rc, 2);
}
