// allocscope micro end to end: every selected allocator runs the benchmark
// binary, each benchmark repetition becomes a run record with the Google
// Benchmark row kept intact, an allocator that crashes is a failed record
// (exit 1) without losing the others, and bad options exit 2.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>

#include "tests/harness/cli_runner.hpp"

using allocscope::test::read_json;
using allocscope::test::run_cmd;
using allocscope::test::TempDir;
using json = nlohmann::json;

namespace {

const char* kFilter = "^BM_malloc_free/(16|4096)$";

TEST(Micro, RecordsPerAllocatorBenchmarkAndRepetition) {
  TempDir dir;
  auto r = run_cmd({ALLOCSCOPE_BIN, "micro", "-a", "glibc,binmalloc", "--filter", kFilter, "--min-time", "0.01",
                    "--reps", "2", "-q", "-o", dir.path()});
  ASSERT_EQ(r.status, 0) << r.err;
  // The table on stdout names both benchmarks and both allocators.
  EXPECT_NE(r.out.find("micro/BM_malloc_free/16"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("binmalloc"), std::string::npos) << r.out;

  json doc = read_json(dir.path() + "/results.json");
  EXPECT_EQ(doc["schema"], "allocscope.results/1");
  EXPECT_EQ(doc["context"]["suite"], "micro");
  EXPECT_EQ(doc["context"]["reps"], 2);
  for (const char* a : {"glibc", "binmalloc"}) {
    EXPECT_EQ(doc["context"]["micro_processes"][a]["status"], "ok") << a;
    EXPECT_TRUE(doc["context"]["gbench_context"][a].contains("num_cpus")) << a;
    EXPECT_TRUE(std::filesystem::exists(dir.path() + "/gbench-" + a + ".json")) << a;
  }
  // 2 allocators x 2 benchmarks x 2 repetitions, aggregates left out.
  const auto& runs = doc["runs"];
  ASSERT_EQ(runs.size(), 8u) << runs.dump(1);
  std::map<std::string, std::set<int>> reps;  // "allocator workload" -> repetition indices
  std::set<size_t> indices;
  for (const auto& run : runs) {
    EXPECT_EQ(run["status"], "ok") << run.dump();
    const std::string w = run["workload"];
    EXPECT_TRUE(w == "micro/BM_malloc_free/16" || w == "micro/BM_malloc_free/4096") << w;
    EXPECT_EQ(run["gbench"]["name"], w.substr(6));
    EXPECT_EQ(run["gbench"]["run_type"], "iteration");
    const auto& m = run["metrics"];
    EXPECT_GT(m["real_time_ns"].get<double>(), 0.0);
    EXPECT_GT(m["cpu_time_ns"].get<double>(), 0.0);
    EXPECT_GT(m["iterations"].get<int64_t>(), 0);
    // real_time_ns is the row's time converted from its unit.
    const std::string unit = run["gbench"]["time_unit"];
    const double scale = unit == "ns" ? 1 : unit == "us" ? 1e3 : unit == "ms" ? 1e6 : 1e9;
    EXPECT_DOUBLE_EQ(m["real_time_ns"].get<double>(), run["gbench"]["real_time"].get<double>() * scale);
    reps[run["allocator"].get<std::string>() + " " + w].insert(run["rep"].get<int>());
    indices.insert(run["index"].get<size_t>());
  }
  EXPECT_EQ(reps.size(), 4u);
  for (const auto& [k, v] : reps) EXPECT_EQ(v, (std::set<int>{0, 1})) << k;
  EXPECT_EQ(indices.size(), runs.size());  // unique indices

  // The merged file is an ordinary results file: compare reads it.
  auto c = run_cmd({ALLOCSCOPE_BIN, "compare", dir.path(), "--baseline", "glibc", "--candidate", "binmalloc",
                    "--metrics", "real_time_ns"});
  EXPECT_EQ(c.status, 0) << c.err;
  EXPECT_NE(c.out.find("BM_malloc_free/4096"), std::string::npos) << c.out;
}

TEST(Micro, CrashingAllocatorIsAFailedRecordAndTheOthersAreKept) {
  TempDir dir;
  auto r =
      run_cmd({ALLOCSCOPE_BIN, "micro", "-a", "glibc,crashy", "--allocator-lib", std::string("crashy=") + CRASH_SHIM,
               "--filter", kFilter, "--min-time", "0.01", "-q", "-o", dir.path()},
              {"ALLOCSCOPE_SHIM_N=500"});
  EXPECT_EQ(r.status, 1) << r.err;
  json doc = read_json(dir.path() + "/results.json");
  size_t ok = 0, crashed = 0;
  for (const auto& run : doc["runs"]) {
    if (run["allocator"] == "glibc") {
      EXPECT_EQ(run["status"], "ok");
      ++ok;
    } else {
      EXPECT_EQ(run["allocator"], "crashy");
      EXPECT_EQ(run["status"], "crashed") << run.dump();
      EXPECT_NE(run["reason"].get<std::string>().find("signal 11"), std::string::npos) << run.dump();
      ++crashed;
    }
  }
  EXPECT_EQ(ok, 2u);
  EXPECT_EQ(crashed, 1u);
  EXPECT_EQ(doc["context"]["micro_processes"]["crashy"]["status"], "crashed");
}

TEST(Micro, BadOptionsExit2) {
  TempDir dir;
  for (const auto& bad : std::vector<std::vector<std::string>>{
           {"--reps", "0"}, {"--min-time", "-1"}, {"--timeout", "0"}, {"-a", "no-such-allocator"}}) {
    std::vector<std::string> argv{ALLOCSCOPE_BIN, "micro", "-q", "-o", dir.path()};
    argv.insert(argv.end(), bad.begin(), bad.end());
    auto r = run_cmd(argv);
    EXPECT_EQ(r.status, 2) << bad[0] << " " << bad[1] << ": " << r.err;
    EXPECT_NE(r.err.find("allocscope"), std::string::npos) << r.err;
  }
}

}  // namespace
