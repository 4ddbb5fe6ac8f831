// A crashing, hanging, leaking and aborting allocator (test shims) next to
// glibc: each job gets its status and stderr tail, the others are intact.
// No timing: the jobs that must finish get a limit that only catches a hang
// (120 s); the hanging shim runs alone with a short one, since it never ends.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>

#include "tests/reliability/cli_runner.hpp"

using namespace rt;

namespace {

std::map<std::string, json> by_allocator(const json& doc) {
  std::map<std::string, json> m;
  for (const auto& r : doc["runs"]) m[r["allocator"].get<std::string>()] = r;
  return m;
}

// The method `auto` must pick, found by the test itself: a per-job memory
// cgroup when this process may create one under the v1 memory hierarchy,
// RLIMIT_AS otherwise.
std::string expected_auto_method() {
  const std::string probe = "/sys/fs/cgroup/memory/allocscope-test-probe-" + std::to_string(::getpid());
  if (::mkdir(probe.c_str(), 0755) != 0) return "rlimit-as";
  ::rmdir(probe.c_str());
  return "cgroup-v1";
}

void run_with_shims(const std::string& method) {
  std::string dir = fresh_dir("isolation-" + method);
  CliResult r = run_cli({"run",
                         "-w",
                         "churn:ops=20000,slots=512",
                         "-a",
                         "glibc,crash,leak,abort",
                         "--allocator-lib",
                         "crash=" CRASH_SHIM,
                         "--allocator-lib",
                         "leak=" LEAK_SHIM,
                         "--allocator-lib",
                         "abort=" ABORT_SHIM,
                         "--timeout",
                         "120",
                         "--mem-limit",
                         "256M",
                         "--mem-limit-method",
                         method,
                         "--no-syscalls",
                         "-q",
                         "-o",
                         dir});
  ASSERT_EQ(r.rc, 1) << "some job failed: exit status 1\n" << r.err;
  json doc = read_json(dir + "/results.json");
  ASSERT_EQ(doc["runs"].size(), 4u);
  EXPECT_EQ(count_lines(dir + "/journal.jsonl"), 4u);
  auto runs = by_allocator(doc);

  EXPECT_EQ(runs["glibc"]["status"], "ok");
  EXPECT_EQ(runs["glibc"]["metrics"].value("ops", 0), 20000);
  EXPECT_GT(runs["glibc"]["metrics"].value("ops_per_s", 0.0), 0.0);

  EXPECT_EQ(runs["crash"]["status"], "crashed");
  EXPECT_EQ(runs["crash"]["exit"]["signal"], 11);

  EXPECT_EQ(runs["leak"]["status"], "oom") << runs["leak"].dump();
  const std::string want_method = method == "rlimit" ? "rlimit-as" : expected_auto_method();
  EXPECT_EQ(runs["leak"]["mem_limit"]["method"], want_method) << runs["leak"].dump();
  if (want_method == "cgroup-v1") {
    EXPECT_GE(runs["leak"]["mem_limit"].value("oom_kills", 0), 1);
    EXPECT_GT(runs["leak"]["mem_limit"].value("peak_bytes", uint64_t{0}), 200u << 20);
  }

  EXPECT_EQ(runs["abort"]["status"], "crashed");
  EXPECT_EQ(runs["abort"]["exit"]["signal"], 6);
  EXPECT_NE(runs["abort"]["stderr_tail"].get<std::string>().find("corrupted top size"), std::string::npos)
      << runs["abort"].dump();
}

}  // namespace

TEST(Isolation, FailingAllocatorsRlimit) {
  run_with_shims("rlimit");
}

TEST(Isolation, FailingAllocatorsAuto) {
  run_with_shims("auto");
}

// The hanging shim never returns from malloc: whatever the limit, the job
// ends as a timeout and the job after it still runs.
TEST(Isolation, HangingAllocatorTimesOut) {
  std::string dir = fresh_dir("isolation-hang");
  CliResult r = run_cli({"run", "-w", "churn:ops=2000,slots=64", "-a", "hang,glibc", "--allocator-lib",
                         "hang=" HANG_SHIM, "--timeout", "1", "--no-syscalls", "-q", "-o", dir});
  ASSERT_EQ(r.rc, 1) << r.err;
  auto runs = by_allocator(read_json(dir + "/results.json"));
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs["hang"]["status"], "timeout") << runs["hang"].dump();
  EXPECT_GE(runs["hang"]["metrics"].value("wall_s", 0.0), 1.0);  // not ended before its limit
  // The reason says where it hung: the shim's pause() (ppoll where the
  // architecture has no pause system call).
  const std::string reason = runs["hang"].value("reason", "");
  EXPECT_TRUE(reason.find("S (sleeping) in pause") != std::string::npos ||
              reason.find("S (sleeping) in ppoll") != std::string::npos)
      << reason;
  EXPECT_EQ(runs["glibc"]["status"], "ok") << runs["glibc"].dump();
}

TEST(Isolation, NonZeroExitOfExecJob) {
  std::string dir = fresh_dir("exec-fail");
  CliResult r = run_cli({"run", "-a", "glibc", "-q", "--no-syscalls", "-o", dir, "--exec", "--", "sh", "-c",
                         "echo something went wrong >&2; exit 3"});
  EXPECT_EQ(r.rc, 1);
  json doc = read_json(dir + "/results.json");
  ASSERT_EQ(doc["runs"].size(), 1u);
  EXPECT_EQ(doc["runs"][0]["status"], "failed");
  EXPECT_EQ(doc["runs"][0]["exit"]["code"], 3);
  EXPECT_NE(doc["runs"][0]["stderr_tail"].get<std::string>().find("something went wrong"), std::string::npos);
}
