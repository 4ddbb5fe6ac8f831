// `allocscope run --min-window` (calibrated work counts), `--placement` and
// `--heap-shift`, checked through results.json. The calibration's decisions
// are checked against the windows it recorded, never against how fast this
// machine is: every step but the last measured a window below the minimum,
// each step grew the value, a reached calibration ends at or above the
// minimum, and every allocator ran the final value.
#include <gtest/gtest.h>
#include <sched.h>

#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/harness/cli_runner.hpp"

using allocscope::test::read_json;
using allocscope::test::read_text;
using allocscope::test::run_cmd;
using allocscope::test::TempDir;
using json = nlohmann::json;

namespace {

std::vector<std::string> run_argv(const TempDir& dir, std::vector<std::string> extra) {
  std::vector<std::string> argv{ALLOCSCOPE_BIN, "run", "--rss-interval", "0", "--no-syscalls", "--out", dir.path()};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

// The checks every recorded calibration entry must pass.
void expect_consistent(const json& e, double min_window_s) {
  const json& steps = e["steps"];
  ASSERT_FALSE(steps.empty()) << e.dump();
  EXPECT_EQ(e["runs"].get<size_t>(), steps.size());
  for (size_t i = 0; i + 1 < steps.size(); ++i) {
    EXPECT_LT(steps[i]["window_s"].get<double>(), min_window_s) << "step " << i << " of " << e.dump();
    EXPECT_GT(std::stoull(steps[i + 1]["value"].get<std::string>()), std::stoull(steps[i]["value"].get<std::string>()))
        << e.dump();
  }
  EXPECT_EQ(steps.back()["value"], e["to"]);
  EXPECT_EQ(steps.front()["value"], e["from"]);
  EXPECT_DOUBLE_EQ(steps.back()["window_s"].get<double>(), e["window_s"].get<double>());
  if (e["reached"].get<bool>())
    EXPECT_GE(e["window_s"].get<double>(), min_window_s) << e.dump();
  else
    EXPECT_TRUE(e.contains("note")) << e.dump();
}

}  // namespace

// Two workloads, one multithreaded at two thread counts: an entry per
// workload and thread count, and every allocator's records carry its value.
// Each job (about a second) is limited to 60 s: a job that hangs fails the
// test with its progress line, which says where its threads were, instead
// of holding it to ctest's limit.
TEST(Calibration, EveryAllocatorRunsTheCalibratedValue) {
  TempDir dir;
  auto r = run_cmd(run_argv(dir, {"-w", "churn:slots=64", "-w", "mt-churn:slots=64", "-t", "1,2", "-a",
                                  "glibc,binmalloc", "--min-window", "300", "--timeout", "60"}));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("calibrating timed windows to 300 ms or more"), std::string::npos) << r.err;
  json doc = read_json(dir.path() + "/results.json");
  const json& cal = doc["context"]["calibration"];
  EXPECT_DOUBLE_EQ(cal["min_window_s"].get<double>(), 0.3);
  EXPECT_EQ(cal["allocator"], "glibc");
  ASSERT_EQ(cal["entries"].size(), 3u) << cal.dump();  // churn t=1, mt-churn t=1 and t=2
  std::set<std::string> cells;
  for (const auto& e : cal["entries"]) {
    expect_consistent(e, 0.3);
    EXPECT_EQ(e["param"], "ops");
    EXPECT_EQ(e["from"], "2000000");
    cells.insert(e["workload"].get<std::string>() + " t=" + std::to_string(e["threads"].get<int>()));
    size_t runs = 0;
    for (const auto& rec : doc["runs"])
      if (rec["workload"] == e["workload"] && rec["threads"] == e["threads"]) {
        EXPECT_EQ(rec["params"]["ops"], e["to"]) << rec["allocator"];
        ++runs;
      }
    EXPECT_EQ(runs, 2u);  // one round, both allocators
  }
  EXPECT_EQ(cells, (std::set<std::string>{"churn t=1", "mt-churn t=1", "mt-churn t=2"}));
}

// A scale parameter given explicitly is the user's: nothing is calibrated.
TEST(Calibration, ExplicitParameterIsKept) {
  TempDir dir;
  auto r = run_cmd(run_argv(dir, {"-q", "-w", "churn:ops=20000", "-a", "glibc", "--min-window", "500"}));
  ASSERT_EQ(r.status, 0) << r.err;
  json doc = read_json(dir.path() + "/results.json");
  EXPECT_TRUE(doc["context"]["calibration"]["entries"].empty());
  ASSERT_EQ(doc["runs"].size(), 1u);
  EXPECT_EQ(doc["runs"][0]["params"]["ops"], "20000");
}

// Without --min-window the context has no calibration and defaults stand.
TEST(Calibration, OffByDefault) {
  TempDir dir;
  auto r = run_cmd(run_argv(dir, {"-q", "-w", "churn:slots=64", "-a", "glibc"}));
  ASSERT_EQ(r.status, 0) << r.err;
  json doc = read_json(dir.path() + "/results.json");
  EXPECT_FALSE(doc["context"].contains("calibration"));
  EXPECT_EQ(doc["runs"][0]["params"]["ops"], "2000000");
}

// A resumed run applies the calibration it recorded instead of measuring a
// new one, so the rerun job has the same inputs as the others.
TEST(Calibration, ResumeReusesTheRecordedCalibration) {
  TempDir dir;
  auto r = run_cmd(run_argv(dir, {"-w", "churn:slots=64", "-a", "glibc", "--reps", "3", "--min-window", "100"}));
  ASSERT_EQ(r.status, 0) << r.err;
  json first = read_json(dir.path() + "/results.json");
  const std::string journal = dir.path() + "/journal.jsonl";
  std::string j = read_text(journal);
  ASSERT_GE(j.size(), 2u);
  {  // drop the last record, as if the run had stopped before it
    std::ofstream out(journal, std::ios::trunc);
    out << j.substr(0, j.rfind('\n', j.size() - 2) + 1);
  }
  r = run_cmd({ALLOCSCOPE_BIN, "run", "--resume", dir.path()});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err.find("calibrat"), std::string::npos) << r.err;  // nothing measured again
  json doc = read_json(dir.path() + "/results.json");
  EXPECT_EQ(doc["context"]["calibration"], first["context"]["calibration"]);
  ASSERT_EQ(doc["runs"].size(), 3u);
  const json& to = doc["context"]["calibration"]["entries"][0]["to"];
  for (const auto& rec : doc["runs"]) EXPECT_EQ(rec["params"]["ops"], to);
}

TEST(Calibration, BadValuesAreRejected) {
  TempDir dir;
  for (const auto& [args, message] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"--min-window", "-5"}, "--min-window: expected 0 to 600000 milliseconds"},
           {{"--min-window", "200", "--shard", "1/2"}, "--min-window with --shard"},
           {{"--placement", "wide"}, "--placement 'wide': expected none or spread"}}) {
    std::vector<std::string> argv = run_argv(dir, {"-q", "-w", "churn:ops=1000", "-a", "glibc"});
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = run_cmd(argv);
    EXPECT_EQ(r.status, 2) << args[0];
    EXPECT_NE(r.err.find(message), std::string::npos) << r.err;
  }
}

// --placement spread pins each window thread to an allowed CPU and checks it
// ran there; the condition is recorded in the context and every record.
TEST(Placement, SpreadPinsEveryWindowThread) {
  cpu_set_t set;
  ASSERT_EQ(sched_getaffinity(0, sizeof set, &set), 0);
  TempDir dir;
  auto r = run_cmd(run_argv(dir, {"-q", "-w", "mt-churn:ops=40000", "-w", "xmalloc:blocks=81920", "-t", "2", "-a",
                                  "glibc,binmalloc", "--placement", "spread"}));
  ASSERT_EQ(r.status, 0) << r.err;
  json doc = read_json(dir.path() + "/results.json");
  EXPECT_EQ(doc["context"]["placement"], "spread");
  ASSERT_EQ(doc["runs"].size(), 4u);
  for (const auto& rec : doc["runs"]) {
    EXPECT_EQ(rec["placement"], "spread");
    // mt-churn starts 2 threads, xmalloc 2 producers and 2 consumers.
    const int threads = rec["workload"] == "xmalloc" ? 4 : 2;
    EXPECT_EQ(rec["metrics"]["placement_pinned_threads"].get<int>(), threads) << rec.dump();
  }
  TempDir none;
  r = run_cmd(run_argv(none, {"-q", "-w", "mt-churn:ops=40000", "-t", "2", "-a", "glibc"}));
  ASSERT_EQ(r.status, 0) << r.err;
  doc = read_json(none.path() + "/results.json");
  EXPECT_EQ(doc["context"]["placement"], "none");
  EXPECT_EQ(doc["runs"][0]["placement"], "none");
  EXPECT_FALSE(doc["runs"][0]["metrics"].contains("placement_pinned_threads"));
}

// --heap-shift: every in-process record carries the bytes its worker held
// before the workload; the value is the same for each allocator of a round,
// a multiple of 16 from 16 to 4096, and not the same in every round. Off,
// no record has it.
TEST(HeapShift, EachRoundItsOwnShiftTheSameForEveryAllocator) {
  TempDir dir;
  auto r =
      run_cmd(run_argv(dir, {"-q", "-w", "churn:ops=20000", "-a", "glibc,binmalloc", "--reps", "6", "--heap-shift"}));
  ASSERT_EQ(r.status, 0) << r.err;
  json doc = read_json(dir.path() + "/results.json");
  EXPECT_EQ(doc["context"]["heap_shift"], true);
  ASSERT_EQ(doc["runs"].size(), 12u);
  std::map<int, std::set<uint64_t>> by_round;
  for (const auto& rec : doc["runs"]) {
    ASSERT_TRUE(rec["metrics"].contains("heap_shift_bytes")) << rec.dump();
    const auto shift = rec["metrics"]["heap_shift_bytes"].get<uint64_t>();
    EXPECT_GE(shift, 16u);
    EXPECT_LE(shift, 4096u);
    EXPECT_EQ(shift % 16, 0u) << shift;
    by_round[rec["round"].get<int>()].insert(shift);
  }
  ASSERT_EQ(by_round.size(), 6u);
  std::set<uint64_t> shifts;
  for (const auto& [round, values] : by_round) {
    EXPECT_EQ(values.size(), 1u) << "round " << round << " ran its allocators with different shifts";
    shifts.insert(values.begin(), values.end());
  }
  EXPECT_GT(shifts.size(), 1u) << "every round had the same shift";

  TempDir off;
  r = run_cmd(run_argv(off, {"-q", "-w", "churn:ops=20000", "-a", "glibc"}));
  ASSERT_EQ(r.status, 0) << r.err;
  doc = read_json(off.path() + "/results.json");
  EXPECT_FALSE(doc["context"].contains("heap_shift"));
  EXPECT_FALSE(doc["runs"][0]["metrics"].contains("heap_shift_bytes"));
}

// A suite's heap-shift directive turns the option on; it takes no argument.
TEST(HeapShift, SuiteDirective) {
  TempDir dir;
  const std::string suite = dir.path() + "/shifted.suite";
  std::ofstream(suite) << "heap-shift\nworkload churn:ops=20000\n";
  auto r = run_cmd(run_argv(dir, {"-q", "--suite", suite, "-a", "glibc", "--reps", "2"}));
  ASSERT_EQ(r.status, 0) << r.err;
  json doc = read_json(dir.path() + "/results.json");
  EXPECT_EQ(doc["context"]["heap_shift"], true);
  ASSERT_EQ(doc["runs"].size(), 2u);
  for (const auto& rec : doc["runs"]) EXPECT_TRUE(rec["metrics"].contains("heap_shift_bytes")) << rec.dump();

  std::ofstream(suite) << "heap-shift on\nworkload churn\n";
  TempDir bad;
  r = run_cmd(run_argv(bad, {"-q", "--suite", suite, "-a", "glibc"}));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("shifted.suite:1: 'heap-shift' takes 0 argument(s), got 1"), std::string::npos) << r.err;
}
