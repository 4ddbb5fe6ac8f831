// allocscope run --precision end to end. The compared metric comes from the
// program's own output (--exec, --metric-from-output, --precision-metric),
// so what the run decides does not depend on how fast the machine is: a
// program whose score depends only on the allocator reaches any precision
// at the first rounds; one whose score is random never does, and stops at
// the round limit or the time budget.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "tests/harness/cli_runner.hpp"

using allocscope::test::read_json;
using allocscope::test::run_cmd;
using allocscope::test::TempDir;
using json = nlohmann::json;

namespace {

const std::string kLibc = "/lib/x86_64-linux-gnu/libc.so.6";

// glibc and "same" (glibc's own library preloaded): the program below prints
// score=110 under "same" and score=100 under glibc.
const std::string kFixedScore = "case \"$LD_PRELOAD\" in *libc.so.6*) echo score=110 ;; *) echo score=100 ;; esac";
// A score drawn from /dev/urandom at each run.
const std::string kRandomScore = "echo score=$(od -An -N2 -tu2 /dev/urandom)";

allocscope::test::CmdResult run_precise(const TempDir& dir, const std::string& script,
                                        const std::vector<std::string>& extra) {
  std::vector<std::string> argv{ALLOCSCOPE_BIN,
                                "run",
                                "-q",
                                "-a",
                                "glibc,same",
                                "--allocator-lib",
                                "same=" + kLibc,
                                "--out",
                                dir.path(),
                                "--rss-interval",
                                "0",
                                "--no-syscalls",
                                "--metric-from-output",
                                "score=score= *([0-9]+)",
                                "--precision-metric",
                                "score"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  for (const auto& a : {"--exec", "--", "sh", "-c"}) argv.push_back(a);
  argv.push_back(script);
  return run_cmd(argv);
}

// Rounds per allocator in the records (none failed).
std::map<std::string, std::set<int>> rounds_by_allocator(const json& doc) {
  std::map<std::string, std::set<int>> out;
  for (const auto& r : doc["runs"]) {
    EXPECT_EQ(r["status"], "ok") << r.dump();
    out[r["allocator"].get<std::string>()].insert(r["round"].get<int>());
  }
  return out;
}

TEST(PrecisionRun, StopsAtTheFirstRoundsWhenTheRatioIsExact) {
  TempDir dir;
  auto r = run_precise(dir, kFixedScore, {"--precision", "1"});
  ASSERT_EQ(r.status, 0) << r.err;
  json doc = read_json(dir.path() + "/results.json");
  const json& p = doc["context"]["precision"];
  EXPECT_EQ(p["stopped"], "reached");
  EXPECT_EQ(p["baseline"], "glibc");
  EXPECT_DOUBLE_EQ(p["target"].get<double>(), 0.01);
  EXPECT_TRUE(p["added_rounds"].empty()) << p.dump();
  ASSERT_EQ(p["comparisons"].size(), 1u) << p.dump();
  const json& c = p["comparisons"][0];
  EXPECT_EQ(c["candidate"], "same");
  EXPECT_EQ(c["metric"], "score");
  EXPECT_TRUE(c["reached"].get<bool>());
  EXPECT_EQ(c["rounds"], 6);  // the fewest for which a 95% sign-test interval exists
  EXPECT_EQ(c["pairs"], 6);
  EXPECT_NEAR(c["ratio"].get<double>(), 1.1, 1e-9);
  EXPECT_NEAR(c["lo"].get<double>(), 1.1, 1e-9);
  EXPECT_NEAR(c["hi"].get<double>(), 1.1, 1e-9);
  EXPECT_FALSE(c["two_modes"].get<bool>());
  EXPECT_EQ(c["outlier_rounds"], 0);
  auto rounds = rounds_by_allocator(doc);
  EXPECT_EQ(rounds["glibc"], (std::set<int>{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(rounds["same"], rounds["glibc"]);
  // The table ends with the precision block.
  EXPECT_NE(r.out.find("1 of 1 comparisons within ±1%"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("reached"), std::string::npos) << r.out;
}

TEST(PrecisionRun, AddsRoundsUntilTheRoundLimit) {
  TempDir dir;
  auto r = run_precise(dir, kRandomScore, {"--precision", "0.5", "--max-rounds", "9"});
  ASSERT_EQ(r.status, 0) << r.err;
  json doc = read_json(dir.path() + "/results.json");
  const json& p = doc["context"]["precision"];
  EXPECT_EQ(p["stopped"], "max-rounds") << p.dump();
  ASSERT_EQ(p["added_rounds"].size(), 3u) << p.dump();  // rounds 6, 7 and 8
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(p["added_rounds"][i]["round"], 6 + static_cast<int>(i));
  const json& c = p["comparisons"][0];
  EXPECT_FALSE(c["reached"].get<bool>()) << c.dump();
  EXPECT_EQ(c["rounds"], 9);
  auto rounds = rounds_by_allocator(doc);
  EXPECT_EQ(rounds["glibc"].size(), 9u);
  EXPECT_EQ(rounds["same"], rounds["glibc"]);
  // Every record keeps its own index: 18 distinct ones.
  std::set<int> indexes;
  for (const auto& rec : doc["runs"]) indexes.insert(rec["index"].get<int>());
  EXPECT_EQ(indexes.size(), 18u);
  EXPECT_NE(r.out.find("NOT REACHED"), std::string::npos) << r.out;
}

TEST(PrecisionRun, StopsAtTheTimeBudget) {
  TempDir dir;
  // The round limit is out of reach, so only the budget can stop the run.
  auto r = run_precise(dir, kRandomScore, {"--precision", "0.5", "--max-rounds", "100000", "--max-time", "2"});
  ASSERT_EQ(r.status, 0) << r.err;
  json doc = read_json(dir.path() + "/results.json");
  const json& p = doc["context"]["precision"];
  EXPECT_EQ(p["stopped"], "max-time") << p.dump();
  EXPECT_DOUBLE_EQ(p["max_time_s"].get<double>(), 2.0);
  EXPECT_GT(p["elapsed_s"].get<double>(), 0.0);
  const json& c = p["comparisons"][0];
  EXPECT_FALSE(c["reached"].get<bool>());
  EXPECT_GE(c["rounds"].get<int>(), 6);
  EXPECT_EQ(c["rounds"].get<int>(), 6 + static_cast<int>(p["added_rounds"].size()));
  EXPECT_EQ(doc["runs"].size(), 2u * c["rounds"].get<size_t>());
}

TEST(PrecisionRun, TwoModesAreFlagged) {
  TempDir dir, state;
  // Under "same" the score alternates between 100 and 300 from one run to
  // the next (a counter in a file): its rounds fall in two clusters.
  const std::string script = "case \"$LD_PRELOAD\" in *libc.so.6*) n=$(cat " + state.path() +
                             "/n 2>/dev/null || echo 0); echo $((n + 1)) > " + state.path() +
                             "/n; echo score=$((100 + 200 * (n % 2))) ;; *) echo score=100 ;; esac";
  auto r = run_precise(dir, script, {"--precision", "1", "--max-rounds", "6"});
  ASSERT_EQ(r.status, 0) << r.err;
  json doc = read_json(dir.path() + "/results.json");
  const json& p = doc["context"]["precision"];
  EXPECT_EQ(p["stopped"], "max-rounds") << p.dump();
  const json& c = p["comparisons"][0];
  EXPECT_TRUE(c["two_modes"].get<bool>()) << c.dump();
  EXPECT_FALSE(c["reached"].get<bool>());
  EXPECT_NE(r.out.find("TWO MODES"), std::string::npos) << r.out;
}

TEST(PrecisionRun, BadInput) {
  TempDir dir;
  auto run = [&](std::vector<std::string> extra) {
    std::vector<std::string> argv{ALLOCSCOPE_BIN, "run", "-q", "-w", "churn:ops=1000", "--out", dir.path()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return run_cmd(argv);
  };
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"-a", "glibc,binmalloc", "--max-time", "10"}, "--max-time applies to a precision-driven run"},
      {{"-a", "glibc,binmalloc", "--baseline", "glibc"}, "--baseline applies to a precision-driven run"},
      {{"-a", "glibc,binmalloc", "--max-rounds", "9"}, "--max-rounds applies to a precision-driven run"},
      {{"-a", "glibc,binmalloc", "--precision", "0"}, "--precision 0: expected a percentage"},
      {{"-a", "glibc,binmalloc", "--precision", "2", "--max-time", "-1"}, "--max-time: expected a positive"},
      {{"-a", "glibc,binmalloc", "--precision", "2", "--max-rounds", "3"}, "--max-rounds 3: expected at least 6"},
      {{"-a", "glibc", "--precision", "2"}, "select at least two"},
      {{"-a", "glibc,binmalloc", "--precision", "2", "--baseline", "jemalloc"}, "--baseline jemalloc: not one of"},
      {{"-a", "glibc,binmalloc", "--precision", "2", "--precision-metric", "nope"}, "--precision-metric 'nope'"},
  };
  for (const auto& c : cases) {
    auto r = run(c.args);
    EXPECT_EQ(r.status, 2) << c.message << "\n" << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << "expected '" << c.message << "' in:\n" << r.err;
  }
}

// A suite's precision, max-time and min-window apply where the command line
// is silent: --reps asks for fixed rounds instead, one allocator has nothing
// to compare, and a bad value is an input error naming its line.
TEST(PrecisionRun, SuiteDirectivesApplyWhereTheCommandLineIsSilent) {
  TempDir dir;
  const std::string suite = dir.path() + "/measured.suite";
  std::ofstream(suite) << "precision 50\nmax-time 30\nmin-window 1\nworkload churn\n";
  auto run = [&](const std::string& out, std::vector<std::string> extra) {
    std::vector<std::string> argv{
        ALLOCSCOPE_BIN,   "run", "-q",           "--suite", suite, "--out", dir.path() + "/" + out,
        "--rss-interval", "0",   "--no-syscalls"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return run_cmd(argv);
  };
  auto r = run("suite", {"-a", "glibc,same", "--allocator-lib", "same=" + kLibc});
  ASSERT_EQ(r.status, 0) << r.err;
  json doc = read_json(dir.path() + "/suite/results.json");
  const json& p = doc["context"]["precision"];
  ASSERT_TRUE(p.is_object()) << doc["context"].dump();
  EXPECT_DOUBLE_EQ(p["target"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(p["max_time_s"].get<double>(), 30.0);
  EXPECT_GE(rounds_by_allocator(doc)["glibc"].size(), 6u);  // the rounds an interval needs, at least
  const json& cal = doc["context"]["calibration"];
  ASSERT_TRUE(cal.is_object()) << doc["context"].dump();
  EXPECT_DOUBLE_EQ(cal["min_window_s"].get<double>(), 0.001);
  ASSERT_EQ(cal["entries"].size(), 1u);
  EXPECT_EQ(cal["entries"][0]["workload"], "churn");

  // --reps: fixed rounds, no precision; the minimum window still applies.
  r = run("reps", {"-a", "glibc,same", "--allocator-lib", "same=" + kLibc, "--reps", "2"});
  ASSERT_EQ(r.status, 0) << r.err;
  doc = read_json(dir.path() + "/reps/results.json");
  EXPECT_FALSE(doc["context"].contains("precision") && doc["context"]["precision"].is_object())
      << doc["context"].dump();
  EXPECT_EQ(doc["runs"].size(), 4u);
  EXPECT_TRUE(doc["context"]["calibration"].is_object());

  // One allocator: nothing to compare, so fixed rounds (the suite's or 1).
  r = run("one", {"-a", "glibc", "--min-window", "0"});
  ASSERT_EQ(r.status, 0) << r.err;
  doc = read_json(dir.path() + "/one/results.json");
  EXPECT_EQ(doc["runs"].size(), 1u);
  EXPECT_FALSE(doc["context"].contains("calibration") && doc["context"]["calibration"].is_object());

  // A bad value names the suite's line.
  std::ofstream(suite) << "workload churn\nprecision 0\n";
  r = run("bad", {"-a", "glibc"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("measured.suite:2: 'precision' takes a number above 0"), std::string::npos) << r.err;
}

}  // namespace
