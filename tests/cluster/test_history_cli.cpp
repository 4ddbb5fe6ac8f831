// allocscope history: round trip through the database, and the acceptance
// check (a pass-through allocator for 8 runs, a slower copy for 5: one
// regression at the 9th run) on synthetic results and on real runs.
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/cluster/synthetic_series.hpp"
#include "tests/reliability/cli_runner.hpp"

namespace fs = std::filesystem;
using rt::json;

namespace {

// A results.json with one churn job per allocator and `rounds` rounds each.
json results_doc(const std::vector<std::pair<std::string, std::vector<double>>>& ops_by_alloc, int run) {
  json runs = json::array();
  int index = 0;
  for (const auto& [alloc, values] : ops_by_alloc)
    for (size_t round = 0; round < values.size(); ++round)
      runs.push_back(
          {{"index", index++},
           {"allocator", alloc},
           {"workload", "churn"},
           {"params", {{"ops", "1000"}}},
           {"threads", 1},
           {"rep", round},
           {"round", round},
           {"warmup", false},
           {"status", "ok"},
           {"metrics", {{"ops_per_s", values[round]}, {"peak_rss_bytes", 4096000}, {"syscalls", {{"mmap", 3}}}}}});
  return {{"schema", "allocscope.results/1"},
          {"context", {{"host", "testhost"}, {"git_revision", "rev" + std::to_string(run)}, {"date", "d"}}},
          {"runs", runs}};
}

std::string add_series(const std::string& dir, const std::vector<double>& mine, const std::vector<double>& glibc) {
  const std::string db = dir + "/history.db";
  for (size_t i = 0; i < mine.size(); ++i) {
    std::string file = dir + "/r" + std::to_string(i) + ".json";
    rt::write_text(file, results_doc({{"mine", {mine[i], mine[i] * 1.01}}, {"glibc", {glibc[i]}}}, int(i)).dump());
    auto r = rt::run_cli({"history", "add", db, file, "--label", "c" + std::to_string(i + 1)});
    EXPECT_EQ(r.rc, 0) << r.err;
  }
  return db;
}

}  // namespace

TEST(HistoryCli, RoundTripAndOneRegressionAtC9) {
  const std::string dir = rt::fresh_dir("history-synthetic");
  auto mine = cluster_test::synthetic_series({{8, 2.0e6}, {5, 2.0e6 / 1.35}}, 0.05, 11);
  auto glibc = cluster_test::synthetic_series({{13, 3.0e6}}, 0.05, 12);
  const std::string db = add_series(dir, mine, glibc);

  auto show = rt::run_cli({"history", "show", db, "--allocator", "mine", "--json"});
  ASSERT_EQ(show.rc, 0) << show.err;
  json s = json::parse(show.out);
  ASSERT_EQ(s.size(), 1u);
  ASSERT_EQ(s[0]["points"].size(), 13u);
  EXPECT_EQ(s[0]["points"][0]["label"], "c1");
  EXPECT_EQ(s[0]["points"][12]["git_revision"], "rev12");
  EXPECT_EQ(s[0]["points"][3]["rounds"].size(), 2u);
  EXPECT_DOUBLE_EQ(s[0]["points"][3]["rounds"][0].get<double>(), mine[3]);

  auto ch = rt::run_cli({"history", "changes", db, "--metric", "ops_per_s", "--json"});
  ASSERT_EQ(ch.rc, 0) << ch.err;
  json c = json::parse(ch.out);
  ASSERT_EQ(c.size(), 1u) << c.dump(1);
  EXPECT_EQ(c[0]["allocator"], "mine");
  EXPECT_EQ(c[0]["workload"], "churn");
  EXPECT_EQ(c[0]["metric"], "ops_per_s");
  EXPECT_EQ(c[0]["label"], "c9");
  EXPECT_EQ(c[0]["direction"], "regression");
  EXPECT_NEAR(c[0]["ratio"].get<double>(), 1 / 1.35, 0.06);

  // Every metric with a direction: the constant ones have no change either.
  auto all = rt::run_cli({"history", "changes", db, "--json"});
  ASSERT_EQ(all.rc, 0) << all.err;
  EXPECT_EQ(json::parse(all.out).size(), 1u) << all.out;
}

TEST(HistoryCli, BadInput) {
  const std::string dir = rt::fresh_dir("history-bad");
  EXPECT_EQ(rt::run_cli({"history", "show", dir + "/none.db"}).rc, 2);
  EXPECT_EQ(rt::run_cli({"history", "add", dir + "/h.db", dir + "/missing.json"}).rc, 2);
  EXPECT_EQ(rt::run_cli({"history", "frobnicate"}).rc, 2);
  rt::write_text(dir + "/r.json", results_doc({{"glibc", {1e6}}}, 0).dump());
  EXPECT_EQ(rt::run_cli({"history", "add", dir + "/h.db", dir + "/r.json"}).rc, 0);
  auto dup = rt::run_cli({"history", "add", dir + "/h.db", dir + "/r.json"});
  EXPECT_EQ(dup.rc, 2);
  EXPECT_NE(dup.err.find("already"), std::string::npos) << dup.err;
  rt::write_text(dir + "/not.db", "this is not a database");
  EXPECT_EQ(rt::run_cli({"history", "show", dir + "/not.db"}).rc, 2);
  EXPECT_EQ(rt::run_cli({"history", "changes", dir + "/h.db", "--alpha", "2"}).rc, 2);
}

// Real runs: `mine` is a shim that forwards malloc to glibc, spinning
// ALLOCSCOPE_SLOW_ITERS loop iterations per call: 0 for c1..c8, 3000 for
// c9..c13 (several times churn's cost per malloc: the slowdown is far beyond
// any machine noise, so the test cannot flake).
TEST(HistoryCli, EndToEndWithASlowShim) {
  const std::string dir = rt::fresh_dir("history-e2e");
  const std::string db = dir + "/history.db";
  for (int i = 1; i <= 13; ++i) {
    const std::string out = dir + "/run" + std::to_string(i);
    auto run = rt::run_cli({"run", "--workload", "churn:ops=200000", "--allocators", "mine", "--allocator-lib",
                            std::string("mine=") + SLOW_MALLOC_LIB, "--reps", "1", "--no-syscalls", "--rss-interval",
                            "0", "-q", "--out", out},
                           {std::string("ALLOCSCOPE_SLOW_ITERS=") + (i <= 8 ? "0" : "3000")});
    ASSERT_EQ(run.rc, 0) << run.err;
    auto add = rt::run_cli({"history", "add", db, out, "--label", "c" + std::to_string(i)});
    ASSERT_EQ(add.rc, 0) << add.err;
  }
  auto ch = rt::run_cli({"history", "changes", db, "--metric", "ops_per_s", "--json"});
  ASSERT_EQ(ch.rc, 0) << ch.err;
  json c = json::parse(ch.out);
  ASSERT_EQ(c.size(), 1u) << c.dump(1);
  EXPECT_EQ(c[0]["allocator"], "mine");
  EXPECT_EQ(c[0]["label"], "c9");
  EXPECT_EQ(c[0]["direction"], "regression");
  EXPECT_LT(c[0]["ratio"].get<double>(), 0.9);
}

// gate --history: the baseline is the recent runs of the series on the
// candidate's host; a 30% slower candidate fails, an equal one passes.
TEST(HistoryCli, GateAgainstTheHistory) {
  const std::string dir = rt::fresh_dir("history-gate");
  const std::string db = dir + "/h.db";
  auto base = cluster_test::synthetic_series({{10, 1e6}}, 0.02, 21);
  for (int k = 0; k < 5; ++k) {
    std::string file = dir + "/r" + std::to_string(k) + ".json";
    rt::write_text(file, results_doc({{"glibc", {base[2 * k], base[2 * k + 1]}}}, k).dump());
    ASSERT_EQ(rt::run_cli({"history", "add", db, file}).rc, 0);
  }
  rt::write_text(dir + "/slow.json",
                 results_doc({{"glibc", cluster_test::synthetic_series({{5, 0.7e6}}, 0.02, 22)}}, 9).dump());
  rt::write_text(dir + "/same.json",
                 results_doc({{"glibc", cluster_test::synthetic_series({{5, 1e6}}, 0.02, 23)}}, 9).dump());
  auto slow = rt::run_cli({"gate", "--history", db, dir + "/slow.json"});
  EXPECT_EQ(slow.rc, 1) << slow.out << slow.err;
  EXPECT_NE(slow.out.find("regressed"), std::string::npos) << slow.out;
  auto same = rt::run_cli({"gate", "--history", db, dir + "/same.json"});
  EXPECT_EQ(same.rc, 0) << same.out << same.err;
  auto other_host = rt::run_cli({"gate", "--history", db, "--host", "elsewhere", dir + "/same.json"});
  EXPECT_EQ(other_host.rc, 2);
  EXPECT_NE(other_host.err.find("no runs of host 'elsewhere'"), std::string::npos) << other_host.err;
}
