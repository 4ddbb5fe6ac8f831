// allocscope slurm on a real (local) Slurm cluster: an array of 3 shards in
// which one task fails, is reported with its shard, and is resubmitted alone;
// the merged results hold every job of the matrix once, from three tasks.
// Needs a running cluster (scripts/slurm-local start; .ci/run starts one):
// skipped when sinfo cannot reach one.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <set>

#include "tests/reliability/cli_runner.hpp"

namespace fs = std::filesystem;
using rt::json;

namespace {

bool cluster_up() {
  return std::system("sinfo --noheader >/dev/null 2>&1") == 0;
}

const std::vector<std::string> kRun{
    "--workload", "churn:ops=100000", "--workload", "larson:lives=2,ops=5000", "--threads", "1,2", "--allocators",
    "glibc",      "--reps",           "1"};

}  // namespace

TEST(Slurm, ArrayWithAFailedTaskResubmittedAndMerged) {
  if (!cluster_up()) GTEST_SKIP() << "no Slurm cluster reachable (scripts/slurm-local start)";
  const std::string dir = rt::fresh_dir("slurm-array");
  rt::write_text(dir + "/shard-2", "a file where shard 2 wants its folder: its task fails\n");
  std::vector<std::string> args{"slurm", "submit"};
  args.insert(args.end(), kRun.begin(), kRun.end());
  args.insert(args.end(), {"--shards", "3", "--out", dir, "--wait", "--poll", "0.5"});
  auto first = rt::run_cli(args);
  ASSERT_EQ(first.rc, 1) << first.err;
  EXPECT_NE(first.err.find("shard 2 ("), std::string::npos) << first.err;
  EXPECT_NE(first.err.find("exit status 2"), std::string::npos) << first.err;
  EXPECT_EQ(first.err.find("shard 1 ("), std::string::npos) << first.err;
  EXPECT_FALSE(fs::exists(dir + "/results.json"));

  fs::remove(dir + "/shard-2");
  auto again = rt::run_cli({"slurm", "submit", "--resume", dir, "--wait", "--poll", "0.5"});
  ASSERT_EQ(again.rc, 0) << again.err;
  json sub = rt::read_json(dir + "/slurm.json");
  ASSERT_EQ(sub["submissions"].size(), 2u);
  EXPECT_EQ(sub["submissions"][0]["shards"], json::array({1, 2, 3}));
  EXPECT_EQ(sub["submissions"][1]["shards"], json::array({2}));

  json merged = rt::read_json(dir + "/results.json");
  const size_t jobs = merged["context"]["jobs"].get<size_t>();
  EXPECT_EQ(jobs, 3u);
  ASSERT_EQ(merged["runs"].size(), jobs);
  std::set<size_t> indexes;
  std::set<long> tasks;
  for (const auto& r : merged["runs"]) {
    indexes.insert(r["index"].get<size_t>());
    ASSERT_TRUE(r.contains("slurm")) << r.dump();
    ASSERT_TRUE(r.contains("host")) << r.dump();
    const long task = r["slurm"]["array_task_id"].get<long>();
    tasks.insert(task);
    const std::string job = std::to_string(r["slurm"]["job_id"].get<long>());
    EXPECT_EQ(job, sub["submissions"][task == 2 ? 1 : 0]["job_id"].get<std::string>());
  }
  EXPECT_EQ(indexes.size(), jobs);
  EXPECT_EQ(*indexes.rbegin(), jobs - 1);
  EXPECT_EQ(tasks, (std::set<long>{1, 2, 3}));

  auto status = rt::run_cli({"slurm", "status", dir});
  EXPECT_EQ(status.rc, 0);
  EXPECT_NE(status.out.find("shard 2: done"), std::string::npos) << status.out;
}

TEST(Slurm, BadInput) {
  const std::string dir = rt::fresh_dir("slurm-bad");
  EXPECT_EQ(rt::run_cli({"slurm", "submit", "--out", dir + "/x", "--workload", "churn"}).rc, 2);  // no --shards
  EXPECT_EQ(rt::run_cli({"slurm", "submit", "--shards", "2", "--workload", "churn"}).rc, 2);      // no --out
  EXPECT_EQ(rt::run_cli({"slurm", "submit", "--shards", "0", "--out", dir + "/y"}).rc, 2);
  EXPECT_EQ(rt::run_cli({"slurm", "submit", "--shards", "2", "--out", dir + "/z", "--workload", "no-such"}).rc, 2);
  EXPECT_EQ(rt::run_cli({"slurm", "submit", "--resume", dir}).rc, 2);  // no slurm.json
  EXPECT_EQ(rt::run_cli({"slurm", "status", dir}).rc, 2);
  EXPECT_FALSE(fs::exists(dir + "/z/slurm.json"));  // nothing is submitted on bad run options
}
