// `allocscope run` options checked through the command line and the
// results.json they produce: --warmup, --latency-every, --track-usable,
// --json, --config, and every shipped suite file.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/common/expected_allocators.hpp"
#include "tests/harness/cli_runner.hpp"

using allocscope::test::expected_allocators;
using allocscope::test::read_json;
using allocscope::test::run_cmd;
using allocscope::test::TempDir;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

json run_churn(const TempDir& dir, const std::vector<std::string>& extra) {
  std::vector<std::string> argv{ALLOCSCOPE_BIN,   "run", "-q",    "-w",      "churn:ops=20000", "-a", "glibc",
                                "--rss-interval", "0",   "--out", dir.path()};
  argv.insert(argv.end(), extra.begin(), extra.end());
  auto r = run_cmd(argv);
  EXPECT_EQ(r.status, 0) << r.err;
  return read_json(dir.path() + "/results.json");
}

// --warmup: one extra first round, marked and kept out of the reps.
TEST(RunOptions, WarmupAddsOneMarkedRound) {
  TempDir dir;
  json doc = run_churn(dir, {"--reps", "2", "--warmup"});
  ASSERT_EQ(doc["runs"].size(), 3u);
  size_t warm = 0;
  std::set<int> reps;
  for (const auto& r : doc["runs"]) {
    EXPECT_EQ(r["status"], "ok");
    if (r["warmup"].get<bool>())
      ++warm;
    else
      reps.insert(r["rep"].get<int>());
  }
  EXPECT_EQ(warm, 1u);
  EXPECT_EQ(reps, (std::set<int>{0, 1}));
}

// Without --warmup no record is marked.
TEST(RunOptions, NoWarmupByDefault) {
  TempDir dir;
  json doc = run_churn(dir, {"--reps", "2"});
  ASSERT_EQ(doc["runs"].size(), 2u);
  for (const auto& r : doc["runs"]) EXPECT_FALSE(r["warmup"].get<bool>());
}

// --latency-every N: the lat_p* metrics, ordered, present only when asked.
TEST(RunOptions, LatencyEveryGivesOrderedPercentiles) {
  TempDir with, without;
  json doc = run_churn(with, {"--latency-every", "10"});
  ASSERT_EQ(doc["runs"].size(), 1u);
  const auto& m = doc["runs"][0]["metrics"];
  for (const char* k : {"lat_p50_ns", "lat_p99_ns", "lat_p999_ns", "lat_max_ns"})
    ASSERT_TRUE(m.contains(k) && m[k].is_number()) << k << " in " << m.dump();
  EXPECT_GT(m["lat_p50_ns"].get<double>(), 0);
  EXPECT_LE(m["lat_p50_ns"].get<double>(), m["lat_p99_ns"].get<double>());
  EXPECT_LE(m["lat_p99_ns"].get<double>(), m["lat_p999_ns"].get<double>());
  EXPECT_LE(m["lat_p999_ns"].get<double>(), m["lat_max_ns"].get<double>());
  json plain = run_churn(without, {});
  EXPECT_FALSE(plain["runs"][0]["metrics"].contains("lat_p99_ns"));
}

// --track-usable: usable bytes at least the requested ones, and the overhead
// ratio within what glibc's rounding allows.
TEST(RunOptions, TrackUsableGivesUsablePeakAndOverhead) {
  TempDir with, without;
  json doc = run_churn(with, {"--track-usable"});
  const auto& m = doc["runs"][0]["metrics"];
  ASSERT_TRUE(m.contains("usable_peak_bytes")) << m.dump();
  ASSERT_TRUE(m.contains("internal_overhead")) << m.dump();
  const double live = m["live_peak_bytes"].get<double>(), usable = m["usable_peak_bytes"].get<double>();
  EXPECT_GT(live, 0);
  EXPECT_GE(usable, live);
  // usable / requested over all allocations: glibc rounds a request of 16 or
  // more bytes up by less than half, so within [1, 1.5] for churn's 16..1024.
  EXPECT_GE(m["internal_overhead"].get<double>(), 1.0);
  EXPECT_LE(m["internal_overhead"].get<double>(), 1.5);
  json plain = run_churn(without, {});
  EXPECT_FALSE(plain["runs"][0]["metrics"].contains("usable_peak_bytes"));
}

// --json: results.json on stdout, the same document as the file.
TEST(RunOptions, JsonPrintsTheResults) {
  TempDir dir;
  auto r = run_cmd({ALLOCSCOPE_BIN, "run", "-q", "--json", "-w", "churn:ops=1000", "-a", "glibc", "--rss-interval", "0",
                    "--out", dir.path()});
  ASSERT_EQ(r.status, 0) << r.err;
  json out = json::parse(r.out);  // nothing but JSON on stdout
  json file = read_json(dir.path() + "/results.json");
  EXPECT_EQ(out["schema"], "allocscope.results/1");
  EXPECT_EQ(out["runs"], file["runs"]);
}

// --config: options from a file, the same names as on the command line.
TEST(RunOptions, ConfigFileSetsOptions) {
  TempDir dir;
  const std::string cfg = dir.path() + "/run.conf";
  std::ofstream(cfg) << "# a comment\nworkload = churn:ops=1500\nallocators = glibc\nreps = 2\nrss-interval = 0\n";
  auto r = run_cmd({ALLOCSCOPE_BIN, "run", "-q", "--config", cfg, "--out", dir.path() + "/out"});
  ASSERT_EQ(r.status, 0) << r.err;
  json doc = read_json(dir.path() + "/out/results.json");
  ASSERT_EQ(doc["runs"].size(), 2u);
  for (const auto& run : doc["runs"]) {
    EXPECT_EQ(run["workload"], "churn");
    EXPECT_EQ(run["allocator"], "glibc");
    EXPECT_EQ(run["params"]["ops"], "1500");
    EXPECT_EQ(run["metrics"]["ops"], 1500);
  }
  // An unknown option in the file: exit 2 with its line.
  std::ofstream(dir.path() + "/bad.conf") << "reps = 1\nnonsense = 3\n";
  r = run_cmd({ALLOCSCOPE_BIN, "run", "--config", dir.path() + "/bad.conf", "--out", dir.path() + "/bad"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("bad.conf:2"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("nonsense"), std::string::npos) << r.err;
}

// Every shipped suite: listed, its plan valid (allocscope builds the whole
// job matrix before running), its allocators the expected ones, and a
// reduced run of it (one job of the matrix, --shard 1/N, one rep, glibc)
// ends ok.
class ShippedSuite : public ::testing::TestWithParam<std::string> {};

TEST_P(ShippedSuite, IsValidAndRuns) {
  const std::string name = GetParam();
  auto list = run_cmd({ALLOCSCOPE_BIN, "list", "suites"});
  ASSERT_EQ(list.status, 0) << list.err;
  EXPECT_NE(list.out.find(name + " "), std::string::npos) << list.out;
  std::ifstream in(std::string(SUITES_DIR) + "/" + name + ".suite");
  ASSERT_TRUE(in) << name;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("allocators ", 0) != 0) continue;
    std::stringstream ss(line.substr(11));
    for (std::string a; std::getline(ss, a, ',');)
      EXPECT_NE(std::find(expected_allocators().begin(), expected_allocators().end(), a), expected_allocators().end())
          << name << ": allocator " << a;
  }
  TempDir dir;
  auto r = run_cmd({ALLOCSCOPE_BIN, "run", "-q", "--suite", name, "--shard", "1/100000", "-a", "glibc", "--reps", "1",
                    "--rss-interval", "0", "--out", dir.path()});
  ASSERT_EQ(r.status, 0) << r.err;
  json doc = read_json(dir.path() + "/results.json");
  EXPECT_EQ(doc["context"]["suite"], name);
  ASSERT_EQ(doc["runs"].size(), 1u);
  EXPECT_EQ(doc["runs"][0]["status"], "ok") << doc["runs"][0].dump();
}

std::vector<std::string> shipped_suites() {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(SUITES_DIR))
    if (e.path().extension() == ".suite") names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

INSTANTIATE_TEST_SUITE_P(RunOptions, ShippedSuite, ::testing::ValuesIn(shipped_suites()),
                         [](const auto& info) { return info.param; });

}  // namespace
