// SIGINT/SIGTERM mid-suite: the finished jobs are kept (journal and a valid
// results.json), exit status 130, and --resume runs exactly the rest.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <set>
#include <thread>

#include "tests/reliability/cli_runner.hpp"

using namespace rt;

namespace {

void interrupt_and_resume(int sig, const std::string& name) {
  std::string dir = fresh_dir(name);
  const size_t total = 30;  // enough that a loaded machine cannot finish them all before the signal
  pid_t pid = start_cli({"run", "-w", "churn:ops=400000,slots=4096", "-a", "glibc", "--reps", std::to_string(total),
                         "--no-syscalls", "-q", "-o", dir},
                        dir);
  // Wait for two finished jobs, then interrupt.
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (count_lines(dir + "/journal.jsonl") < 2 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_GE(count_lines(dir + "/journal.jsonl"), 2u);
  ::kill(pid, sig);
  int rc = wait_cli(pid);
  ASSERT_EQ(rc, 130) << read_text(dir + "/cli.err");

  json doc = read_json(dir + "/results.json");  // valid JSON, written by rename
  const size_t finished = doc["runs"].size();
  EXPECT_GE(finished, 2u);
  EXPECT_LT(finished, total);
  EXPECT_EQ(count_lines(dir + "/journal.jsonl"), finished);
  for (const auto& r : doc["runs"]) EXPECT_EQ(r["status"], "ok") << r.dump();
  EXPECT_NE(read_text(dir + "/cli.err").find("--resume"), std::string::npos);

  CliResult res = run_cli({"run", "--resume", dir});
  ASSERT_EQ(res.rc, 0) << res.err;
  doc = read_json(dir + "/results.json");
  ASSERT_EQ(doc["runs"].size(), total);
  std::set<size_t> indices;
  for (const auto& r : doc["runs"]) {
    indices.insert(r["index"].get<size_t>());
    EXPECT_EQ(r["status"], "ok") << r.dump();
  }
  EXPECT_EQ(indices.size(), total);
  EXPECT_EQ(*indices.rbegin(), total - 1);
  EXPECT_EQ(count_lines(dir + "/journal.jsonl"), total);
}

}  // namespace

TEST(Interrupt, SigintThenResume) {
  interrupt_and_resume(SIGINT, "sigint");
}
TEST(Interrupt, SigtermThenResume) {
  interrupt_and_resume(SIGTERM, "sigterm");
}

// A journal whose last line was torn by a crash mid-write: resume reruns
// that job and later records stay readable.
TEST(Interrupt, TornJournalLine) {
  std::string dir = fresh_dir("torn");
  CliResult r =
      run_cli({"run", "-w", "churn:ops=1000", "-a", "glibc", "--reps", "3", "--no-syscalls", "-q", "-o", dir});
  ASSERT_EQ(r.rc, 0) << r.err;
  std::string j = read_text(dir + "/journal.jsonl");
  auto last = j.rfind('\n', j.size() - 2);
  write_text(dir + "/journal.jsonl", j.substr(0, last + 1) + j.substr(last + 1, 40));  // torn third record
  r = run_cli({"run", "--resume", dir});
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(read_json(dir + "/results.json")["runs"].size(), 3u);
  r = run_cli({"run", "--resume", dir});  // nothing left: still 3, all readable
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(read_json(dir + "/results.json")["runs"].size(), 3u);
}
