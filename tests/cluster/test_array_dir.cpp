// The Slurm array folder and batch script, without a cluster.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "harness/cluster/array_dir.hpp"
#include "harness/cluster/sbatch_script.hpp"

namespace fs = std::filesystem;
using namespace allocscope::cluster;

TEST(ArrayDir, ArraySpec) {
  EXPECT_EQ(array_spec({1, 2, 3}), "1-3");
  EXPECT_EQ(array_spec({2}), "2");
  EXPECT_EQ(array_spec({1, 4, 5, 6, 9}), "1,4-6,9");
}

TEST(ArrayDir, ScriptQuotesEveryArgument) {
  ArrayDir d;
  d.dir = "/shared/it's here";
  d.shards = 4;
  d.run_args = {"--workload", "churn:ops=10", "--allocator-lib", "mine=/a b/lib.so"};
  std::string s = sbatch_script(d, "/opt/allocscope");
  EXPECT_NE(s.find("'/opt/allocscope' run '--workload' 'churn:ops=10' '--allocator-lib' 'mine=/a b/lib.so' --shard "
                   "\"$I/4\""),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("OUT='/shared/it'\\''s here'/shard-$I"), std::string::npos) << s;
  EXPECT_NE(s.find("run --resume \"$OUT\""), std::string::npos);
}

TEST(ArrayDir, ShardStatusesAndRoundTrip) {
  fs::path dir = fs::temp_directory_path() / ("allocscope-arraydir-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  ArrayDir d;
  d.dir = dir.string();
  d.shards = 4;
  d.run_args = {"--suite", "quick"};
  d.submissions = {{"17", {1, 2, 3, 4}, "t0"}, {"21", {2}, "t1"}};
  d.save();
  ArrayDir back = ArrayDir::load(d.dir);
  EXPECT_EQ(back.shards, 4);
  EXPECT_EQ(back.run_args, d.run_args);
  EXPECT_EQ(back.latest(2)->job_id, "21");
  EXPECT_EQ(back.log_file(3), d.dir + "/logs/17_3.out");
  fs::create_directories(d.shard_dir(1));
  std::ofstream(d.shard_dir(1) + "/results.json") << "{}";
  std::ofstream(d.exit_file(1)) << "1 node-a\n";  // some jobs not ok: still done
  std::ofstream(d.exit_file(2)) << "2 node-b\n";
  std::ofstream(d.exit_file(3)) << "0 node-c\n";  // no results.json
  auto st = shard_statuses(back);
  ASSERT_EQ(st.size(), 4u);
  EXPECT_EQ(st[0].state, ShardState::Done);
  EXPECT_EQ(st[1].state, ShardState::Failed);
  EXPECT_NE(st[1].detail.find("exit status 2 on node-b"), std::string::npos);
  EXPECT_EQ(st[2].state, ShardState::Failed);
  EXPECT_EQ(st[3].state, ShardState::Unfinished);
  fs::remove_all(dir);
}
