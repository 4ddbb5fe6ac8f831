// --shard I/N splits the job matrix into disjoint slices whose union is the
// matrix (all rounds of a cell together); merge of the shards' results equals
// a single run's job set and refuses incomparable inputs.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "allocator/adapters/adapter.hpp"
#include "harness/runner/plan.hpp"
#include "tests/reliability/cli_runner.hpp"

using namespace rt;
using namespace allocscope;

namespace {

std::vector<Job> matrix() {
  static std::vector<Adapter> adapters{Adapter{.name = "a"}, Adapter{.name = "b"}, Adapter{.name = "c"}};
  PlanRequest req;
  for (const char* w : {"churn:ops=10", "churn:ops=20", "churn:ops=30,max=64", "mt-churn:ops=100", "large-blocks"})
    req.workloads.push_back(parse_workload_spec(w, "test"));
  for (auto& a : adapters) req.allocators.push_back(&a);
  req.threads = {1, 2};
  req.reps = 3;
  req.warmup = true;
  return build_plan(req);
}

}  // namespace

TEST(Shard, UnionIsTheMatrixWithoutDuplicates) {
  const auto jobs = matrix();
  ASSERT_GT(jobs.size(), 40u);
  for (int n = 1; n <= 7; ++n) {
    std::multiset<size_t> seen;
    std::map<std::string, int> shard_of_key;
    for (int i = 1; i <= n; ++i) {
      auto part = select_shard(jobs, Shard{i, n});
      EXPECT_FALSE(part.empty()) << i << "/" << n;
      for (const auto& j : part) {
        seen.insert(j.index);
        auto [it, fresh] = shard_of_key.emplace(j.key(), i);
        EXPECT_EQ(it->second, i) << "rounds of " << j.key() << " split across shards";
      }
      // The same arguments give the same slice.
      auto again = select_shard(matrix(), Shard{i, n});
      ASSERT_EQ(again.size(), part.size());
      for (size_t k = 0; k < part.size(); ++k) EXPECT_EQ(again[k].index, part[k].index);
    }
    ASSERT_EQ(seen.size(), jobs.size()) << n << " shards";
    std::set<size_t> unique(seen.begin(), seen.end());
    EXPECT_EQ(unique.size(), jobs.size()) << "duplicates with " << n << " shards";
  }
}

TEST(Shard, ParseShard) {
  EXPECT_EQ(parse_shard("2/4").index, 2);
  EXPECT_EQ(parse_shard("2/4").count, 4);
  for (const char* bad : {"", "4", "0/4", "5/4", "a/4", "1/", "/4", "1/0", "1/4x", "-1/4"})
    EXPECT_THROW(parse_shard(bad), std::exception) << bad;
}

TEST(Merge, ShardsEqualOneRun) {
  const std::vector<std::string> common{"-w",
                                        "churn:ops=2000,slots=64",
                                        "-w",
                                        "churn:ops=3000,slots=64",
                                        "-w",
                                        "large-blocks:ops=50",
                                        "-a",
                                        "glibc",
                                        "--reps",
                                        "2",
                                        "--no-syscalls",
                                        "--rss-interval",
                                        "0",
                                        "-q"};
  auto run = [&](const std::string& name, std::vector<std::string> extra) {
    std::string dir = fresh_dir(name);
    std::vector<std::string> args{"run"};
    args.insert(args.end(), common.begin(), common.end());
    args.insert(args.end(), extra.begin(), extra.end());
    args.insert(args.end(), {"-o", dir});
    CliResult r = run_cli(args);
    EXPECT_EQ(r.rc, 0) << r.err;
    return dir + "/results.json";
  };
  auto ids = [](const json& doc) {
    std::multiset<std::string> s;
    for (const auto& r : doc["runs"])
      s.insert(std::to_string(r["index"].get<size_t>()) + "|" + r["workload"].get<std::string>() + "|" +
               r["params"].dump() + "|" + std::to_string(r["round"].get<int>()));
    return s;
  };
  std::string full = run("full", {});
  std::vector<std::string> parts;
  for (int i = 1; i <= 3; ++i) parts.push_back(run("shard" + std::to_string(i), {"--shard", std::to_string(i) + "/3"}));
  std::string out = fresh_dir("merged") + "/merged.json";
  std::vector<std::string> margs{"merge"};
  margs.insert(margs.end(), parts.begin(), parts.end());
  margs.insert(margs.end(), {"-o", out});
  CliResult m = run_cli(margs);
  ASSERT_EQ(m.rc, 0) << m.err;
  json merged = read_json(out), single = read_json(full);
  EXPECT_EQ(ids(merged), ids(single));
  EXPECT_EQ(merged["context"]["merged_from"].size(), 3u);
  EXPECT_FALSE(merged["context"].contains("shard"));
  EXPECT_EQ(merged["context"]["jobs"], single["context"]["jobs"]);

  // A different seed is refused, and accepted with --force.
  std::string other = run("seed7", {"--seed", "7", "--shard", "1/3"});
  CliResult refused = run_cli({"merge", parts[1], other, "-o", out});
  EXPECT_EQ(refused.rc, 2);
  EXPECT_NE(refused.err.find("seed"), std::string::npos) << refused.err;
  CliResult forced = run_cli({"merge", parts[1], other, "-o", out, "--force"});
  EXPECT_EQ(forced.rc, 0) << forced.err;
  EXPECT_TRUE(read_json(out)["context"].contains("merge_forced"));
}
