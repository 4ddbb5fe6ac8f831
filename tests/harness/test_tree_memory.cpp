// Memory as the kernel sees it, end to end: a job's whole process tree, its
// transparent huge pages and page tables, and the perf counters (hardware
// ones unavailable, with the reason, on machines without a PMU).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "tests/harness/cli_runner.hpp"

using allocscope::test::kMiB;
using allocscope::test::read_json;
using allocscope::test::run_cmd;
using allocscope::test::TempDir;
using json = nlohmann::json;

namespace {

json run_one(const TempDir& dir, std::vector<std::string> exec, std::vector<std::string> opts = {}) {
  std::vector<std::string> argv{ALLOCSCOPE_BIN, "run", "--allocators", "glibc", "--quiet", "--out", dir.path()};
  argv.insert(argv.end(), opts.begin(), opts.end());
  argv.push_back("--exec");
  argv.push_back("--");
  argv.insert(argv.end(), exec.begin(), exec.end());
  auto r = run_cmd(argv);
  EXPECT_EQ(r.status, 0) << r.err;
  json doc = read_json(dir.path() + "/results.json");
  return doc["runs"].empty() ? json::object() : doc["runs"][0];
}

std::string system_thp_mode() {
  std::ifstream in("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto a = text.find('['), b = text.find(']');
  return a == std::string::npos ? "" : text.substr(a + 1, b - a - 1);
}

TEST(TreeMemory, ForkedChildCountsInTheTreePeak) {
  TempDir dir;
  json run = run_one(dir, {TOUCH_TREE_BIN, "fork", "128"});
  const json& m = run["metrics"];
  EXPECT_GE(m["peak_rss_bytes"].get<double>(), 128 * kMiB);
  EXPECT_LT(m["top_peak_rss_bytes"].get<double>(), 16 * kMiB);  // the parent alone touched nothing
  EXPECT_EQ(m["processes"], 2);
}

TEST(TreeMemory, ShellStartedProgramIsMeasured) {
  TempDir dir;
  const std::string prog = std::string(TOUCH_TREE_BIN) + " touch 256; true";
  json run = run_one(dir, {"sh", "-c", prog});
  const double peak = run["metrics"]["peak_rss_bytes"].get<double>();
  EXPECT_GE(peak, 256 * kMiB);
  EXPECT_LT(peak, 256 * kMiB * 1.05 + 8 * kMiB);
}

TEST(TreeMemory, HugePagesOfAnAdvisedRegionAreSeen) {
  const std::string mode = system_thp_mode();
  if (mode == "never" || mode.empty()) GTEST_SKIP() << "THP is off on this machine";
  TempDir dir;
  json run = run_one(dir, {TOUCH_TREE_BIN, "thp", "64"});
  EXPECT_GE(run["metrics"]["thp_peak_bytes"].get<double>(), 32 * kMiB);  // most of it, whatever khugepaged does
  EXPECT_GT(run["metrics"]["thp_share_ratio"].get<double>(), 0.3);
  EXPECT_NE(run["thp"].get<std::string>().find("system mode"), std::string::npos);
  TempDir off;
  run = run_one(off, {TOUCH_TREE_BIN, "thp", "64"}, {"--thp", "never"});
  EXPECT_EQ(run["metrics"]["thp_peak_bytes"], 0);
  EXPECT_EQ(run["thp"].get<std::string>().rfind("never", 0), 0u);
}

TEST(TreeMemory, PageTablesOfALargeTouchedMappingAreSeen) {
  TempDir dir;
  json run = run_one(dir, {TOUCH_TREE_BIN, "touch", "256"});
  // 256 MiB of 4 KiB pages need 65536 entries of 8 bytes: 512 KiB of page tables.
  EXPECT_GE(run["metrics"]["page_tables_peak_bytes"].get<double>(), 512 * 1024);
  EXPECT_LT(run["metrics"]["page_tables_peak_bytes"].get<double>(), 8 * kMiB);
}

TEST(TreeMemory, CountersAreFiguresOrUnavailableWithAReasonNeverZero) {
  TempDir dir;
  json run = run_one(dir, {TOUCH_TREE_BIN, "touch", "16"});
  const json& m = run["metrics"];
  for (const char* hw : {"hw_cycles", "hw_instructions", "hw_cache_misses", "hw_dtlb_load_misses"}) {
    if (m.contains(hw)) {
      EXPECT_GT(m[hw].get<double>(), 0) << hw;
    } else {
      ASSERT_TRUE(run.contains("metrics_unavailable")) << hw;
      EXPECT_NE(run["metrics_unavailable"].value(hw, "").find("perf_event_open"), std::string::npos) << hw;
    }
  }
  // Software events exist on every kernel: 16 MiB touched is 4096 faults at least.
  EXPECT_GT(m["task_clock_ns"].get<double>(), 0);
  EXPECT_GE(m["page_faults"].get<double>(), 4096);
  EXPECT_TRUE(m.contains("context_switches"));
}

}  // namespace
