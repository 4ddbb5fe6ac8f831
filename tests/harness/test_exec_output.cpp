// --exec keeps what the program printed (size-capped, the tail kept) and
// --metric-from-output turns a number it printed into a metric of the job.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/harness/cli_runner.hpp"

using allocscope::test::CmdResult;
using allocscope::test::read_json;
using allocscope::test::read_text;
using allocscope::test::run_cmd;
using allocscope::test::TempDir;
using json = nlohmann::json;

namespace {

CmdResult exec_run(const TempDir& dir, std::vector<std::string> opts, const std::string& script) {
  std::vector<std::string> argv{ALLOCSCOPE_BIN, "run", "--allocators", "glibc", "--quiet", "--out", dir.path()};
  argv.insert(argv.end(), opts.begin(), opts.end());
  argv.insert(argv.end(), {"--exec", "--", "sh", "-c", script});
  return run_cmd(argv);
}

TEST(ExecOutput, MetricFromOutputEndToEnd) {
  TempDir dir;
  auto r = exec_run(dir,
                    {"--metric-from-output", "tput=throughput: ([0-9.]+),unit=ops/s", "--metric-from-output",
                     "lat_ms=latency ([0-9.]+) ms,unit=ms,lower"},
                    "echo 'throughput: 12.5'; echo 'throughput: 1234.5'; echo 'latency 0.25 ms' >&2");
  ASSERT_EQ(r.status, 0) << r.err;
  json doc = read_json(dir.path() + "/results.json");
  const json& run = doc["runs"][0];
  EXPECT_EQ(run["status"], "ok");
  EXPECT_DOUBLE_EQ(run["metrics"]["tput"].get<double>(), 1234.5);  // the last match
  EXPECT_DOUBLE_EQ(run["metrics"]["lat_ms"].get<double>(), 0.25);  // found in stderr
  json declared = doc["context"]["declared_metrics"];
  ASSERT_EQ(declared.size(), 2u);
  EXPECT_EQ(declared[0]["name"], "tput");
  EXPECT_EQ(declared[0]["unit"], "ops/s");
  EXPECT_EQ(declared[0]["direction"], "higher_is_better");
  EXPECT_EQ(declared[1]["direction"], "lower_is_better");
  EXPECT_EQ(read_text(dir.path() + "/" + run["output"]["stdout"]["path"].get<std::string>()),
            "throughput: 12.5\nthroughput: 1234.5\n");
  EXPECT_EQ(read_text(dir.path() + "/output/job-0.stderr"), "latency 0.25 ms\n");
  // compare reads the declared metric back and compares it like any other.
  auto c = run_cmd(
      {ALLOCSCOPE_BIN, "compare", dir.path() + "/results.json", dir.path() + "/results.json", "--metrics", "tput"});
  EXPECT_NE(c.status, 2) << c.err;
  EXPECT_NE(c.out.find("tput"), std::string::npos) << c.out;
}

TEST(ExecOutput, NonMatchingRegexIsAJobError) {
  TempDir dir;
  auto r = exec_run(dir, {"--metric-from-output", "tput=throughput: ([0-9.]+)"}, "echo 'no figures here'");
  EXPECT_EQ(r.status, 1);
  json run = read_json(dir.path() + "/results.json")["runs"][0];
  EXPECT_EQ(run["status"], "failed");
  EXPECT_NE(run["reason"].get<std::string>().find("matched nothing"), std::string::npos) << run["reason"];
  EXPECT_FALSE(run["metrics"].contains("tput"));
}

TEST(ExecOutput, SavedOutputIsCappedToItsTail) {
  TempDir dir;
  auto r =
      exec_run(dir, {"--output-keep", "64K"}, "i=0; while [ $i -lt 3000 ]; do printf '%099d\\n' $i; i=$((i+1)); done");
  ASSERT_EQ(r.status, 0) << r.err;
  json out = read_json(dir.path() + "/results.json")["runs"][0]["output"]["stdout"];
  EXPECT_EQ(out["bytes"], 300000);
  EXPECT_EQ(out["kept_bytes"], 65536);
  EXPECT_EQ(out["truncated"], true);
  std::string kept = read_text(dir.path() + "/output/job-0.stdout");
  ASSERT_EQ(kept.size(), 65536u);
  EXPECT_EQ(kept.substr(kept.size() - 100), std::string(95, '0') + "2999\n");  // the last line whole
}

TEST(ExecOutput, BadDeclarationsAreInputErrors) {
  TempDir dir;
  EXPECT_EQ(exec_run(dir, {"--metric-from-output", "no-equals-sign"}, "true").status, 2);
  EXPECT_EQ(exec_run(dir, {"--metric-from-output", "wall_s=([0-9]+)"}, "true").status, 2);  // built-in name
  EXPECT_EQ(exec_run(dir, {"--metric-from-output", "x=([0-9]+"}, "true").status, 2);        // bad regex
  auto r = run_cmd({ALLOCSCOPE_BIN, "run", "--quiet", "--out", dir.path(), "--workloads", "glibc-simple",
                    "--metric-from-output", "x=([0-9]+)"});
  EXPECT_EQ(r.status, 2);  // needs --exec
}

}  // namespace
