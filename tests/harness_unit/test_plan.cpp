#include <gtest/gtest.h>

#include <map>
#include <set>

#include "allocscope/workload.hpp"
#include "common/input_error.hpp"
#include "harness/runner/plan.hpp"

using namespace allocscope;

namespace {

std::vector<const Adapter*> two_allocators() {
  static const std::vector<Adapter> list{builtin_adapters().front(), user_adapter("other", "/dev/null")};
  return {&list[0], &list[1]};
}

TEST(Plan, RoundsHoldEveryCellOnceInShuffledOrder) {
  PlanRequest req;
  req.workloads = {parse_workload_spec("churn:ops=10", "t"), parse_workload_spec("mt-churn:ops=10", "t")};
  req.allocators = two_allocators();
  req.threads = {1, 2};
  req.reps = 4;
  auto jobs = build_plan(req);
  // churn is single-threaded (1 cell), mt-churn runs at 1 and 2 threads: 3 cells x 2 allocators x 4 rounds.
  ASSERT_EQ(jobs.size(), 24u);
  std::map<int, std::multiset<std::string>> per_round;
  for (size_t i = 0; i < jobs.size(); ++i) {
    EXPECT_EQ(jobs[i].index, i);
    per_round[jobs[i].round].insert(jobs[i].key());
  }
  ASSERT_EQ(per_round.size(), 4u);
  std::set<std::string> first(per_round[0].begin(), per_round[0].end());
  EXPECT_EQ(first.size(), 6u);
  for (const auto& [round, keys] : per_round) EXPECT_EQ(std::set<std::string>(keys.begin(), keys.end()), first);
  // Rounds are ordered differently (with overwhelming probability for 6 jobs x 4 rounds).
  std::set<std::vector<std::string>> orders;
  for (int r = 0; r < 4; ++r) {
    std::vector<std::string> order;
    for (const auto& j : jobs)
      if (j.round == r) order.push_back(j.key());
    orders.insert(order);
  }
  EXPECT_GT(orders.size(), 1u);
  // Every parameter is resolved, defaults included.
  EXPECT_EQ(jobs[0].params.count("slots"), 1u);
}

TEST(Plan, SameSeedSamePlan) {
  PlanRequest req;
  req.workloads = {parse_workload_spec("churn", "t"), parse_workload_spec("large-blocks", "t")};
  req.allocators = two_allocators();
  req.reps = 3;
  auto a = build_plan(req), b = build_plan(req);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].key(), b[i].key());
}

TEST(Plan, WarmupRoundIsMarked) {
  PlanRequest req;
  req.workloads = {parse_workload_spec("churn", "t")};
  req.allocators = two_allocators();
  req.reps = 2;
  req.warmup = true;
  auto jobs = build_plan(req);
  ASSERT_EQ(jobs.size(), 6u);
  int warm = 0;
  for (const auto& j : jobs) warm += j.warmup;
  EXPECT_EQ(warm, 2);
  EXPECT_TRUE(jobs[0].warmup && jobs[1].warmup);
}

TEST(Plan, UnknownWorkloadListsValidOnes) {
  PlanRequest req;
  req.workloads = {parse_workload_spec("nosuch", "--workload")};
  req.allocators = two_allocators();
  try {
    build_plan(req);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("valid workloads:"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("churn"), std::string::npos);
  }
}

TEST(Plan, WorkloadSpecParsing) {
  auto sel = parse_workload_spec("churn:ops=5,max=2K", "x");
  EXPECT_EQ(sel.name, "churn");
  EXPECT_EQ(sel.params.at("ops"), "5");
  EXPECT_EQ(sel.params.at("max"), "2K");
  EXPECT_THROW(parse_workload_spec(":ops=1", "x"), InputError);
  EXPECT_THROW(parse_workload_spec("churn:=1", "x"), InputError);
  EXPECT_THROW(parse_int_list("1,,2", "x"), InputError);
  EXPECT_EQ(parse_int_list("1,2,8", "x"), (std::vector<int>{1, 2, 8}));
}

}  // namespace
