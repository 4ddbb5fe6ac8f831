// Live bytes on the RSS clock: an in-process job's record has the worker's
// live requested bytes sampled at the same times as RSS, and the realized
// fragmentation derived from the two series.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "tests/harness/cli_runner.hpp"

using allocscope::test::kMiB;
using allocscope::test::read_json;
using allocscope::test::run_cmd;
using allocscope::test::TempDir;
using json = nlohmann::json;

namespace {

json run_workload(const TempDir& dir, const std::string& spec, const std::string& interval) {
  auto r = run_cmd({ALLOCSCOPE_BIN, "run", "--allocators", "glibc", "--quiet", "--reps", "1", "-w", spec,
                    "--rss-interval", interval, "--out", dir.path()});
  EXPECT_EQ(r.status, 0) << r.err;
  json doc = read_json(dir.path() + "/results.json");
  return doc["runs"].empty() ? json::object() : doc["runs"][0];
}

double max_of(const json& series) {
  double m = 0;
  for (const auto& p : series) m = std::max(m, p[1].get<double>());
  return m;
}

// 16 live blocks of 1-2 MiB, replaced 3000 times: 16-32 MiB live throughout.
TEST(LiveSeries, SampledWithRssOnOneClock) {
  TempDir dir;
  json run = run_workload(dir, "large-blocks:ops=3000,live=16,min=1M,max=2M", "0.002");
  ASSERT_EQ(run.value("status", ""), "ok") << run.dump();
  ASSERT_TRUE(run.contains("live_series")) << "no live series in the record";
  const json& rss = run["rss_series"];
  const json& live = run["live_series"];
  ASSERT_GE(rss.size(), 3u);
  ASSERT_EQ(live.size(), rss.size());
  for (size_t i = 0; i < rss.size(); ++i) EXPECT_EQ(live[i][0], rss[i][0]) << "sample " << i;
  const json& m = run["metrics"];
  const double live_peak = m["live_peak_bytes"].get<double>();
  // The series sees most of the live set, and never more than the workload's
  // exact peak plus one unpublished batch (64 KiB per thread).
  EXPECT_GT(max_of(live), 8 * kMiB);
  EXPECT_LE(max_of(live), live_peak + 64 * 1024);
  // Backed memory covers what is live.
  EXPECT_GE(max_of(rss), max_of(live));
  ASSERT_TRUE(m.contains("frag_realized_ratio"));
  EXPECT_NEAR(m["frag_realized_ratio"].get<double>(), (max_of(rss) - max_of(live)) / max_of(live), 1e-9);
}

// Without RSS sampling there is no series of either kind, and no derived ratio.
TEST(LiveSeries, NoneWithoutRssSampling) {
  TempDir dir;
  json run = run_workload(dir, "large-blocks:ops=200,live=4,min=1M,max=2M", "0");
  ASSERT_EQ(run.value("status", ""), "ok") << run.dump();
  EXPECT_FALSE(run.contains("live_series"));
  EXPECT_FALSE(run["metrics"].contains("frag_realized_ratio"));
}

// A whole program (--exec) has no worker counter: RSS only.
TEST(LiveSeries, ExecJobsHaveRssOnly) {
  TempDir dir;
  auto r = run_cmd({ALLOCSCOPE_BIN, "run", "--allocators", "glibc", "--quiet", "--rss-interval", "0.002", "--out",
                    dir.path(), "--exec", "--", "sh", "-c", "sleep 0.05"});
  ASSERT_EQ(r.status, 0) << r.err;
  json run = read_json(dir.path() + "/results.json")["runs"][0];
  EXPECT_FALSE(run.contains("live_series"));
}

}  // namespace
