// The run's summary table marks a peak RSS cell when the workload itself held
// a different amount at its peak than with the first allocator (a producer
// that ran further ahead fills more of its queue), so that a reader does not
// take the program's larger live set for the allocator's overhead.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness/report/summary_table.hpp"
#include "round_record.hpp"

using namespace allocscope;

namespace {

constexpr double kLiveMiB = 1024.0 * 1024.0;

void add_live_rounds(std::vector<RunRecord>& runs, const std::string& alloc, const std::vector<double>& live_mib,
                     double rss_mib) {
  for (size_t i = 0; i < live_mib.size(); ++i) {
    RunRecord r = round_record(alloc, "producer-consumer-blowup", 8, static_cast<int>(i));
    r.metrics.set("ops_per_s", 30e6);
    r.metrics.set("peak_rss_bytes", rss_mib * kLiveMiB);
    if (live_mib[i] >= 0) r.metrics.set("live_peak_bytes", live_mib[i] * kLiveMiB);
    runs.push_back(r);
  }
}

std::string live_table(const std::vector<double>& glibc_live, const std::vector<double>& bm_live) {
  std::vector<RunRecord> runs;
  add_live_rounds(runs, "glibc", glibc_live, 40);
  add_live_rounds(runs, "binmalloc", bm_live, 46);
  return summary_table(runs);
}

bool mentions(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST(SummaryLive, AMedianLiveSetMoreThanATenthAboveTheFirstAllocatorsIsMarked) {
  // medians 40 and 30 MiB: 33 % more
  std::string t = live_table({30, 29, 31}, {40, 41, 39});
  EXPECT_TRUE(mentions(t, "46.0MiB L+33%")) << t;
  EXPECT_TRUE(mentions(t, "L+N%: the workload itself held N % more (or less) at its peak than with glibc")) << t;
  // and less: 20 against 30 MiB
  std::string less = live_table({30, 29, 31}, {20, 21, 19});
  EXPECT_TRUE(mentions(less, "46.0MiB L-33%")) << less;
}

TEST(SummaryLive, SmallDifferencesAndMissingCountsAreNotMarked) {
  // 9 % more: under the tenth
  std::string near = live_table({30, 30, 30}, {32.7, 32.7, 32.7});
  EXPECT_FALSE(mentions(near, " L+") || mentions(near, "L+N%")) << near;
  // 50 % more but only 0.5 MiB: under the MiB
  std::string tiny = live_table({1, 1, 1}, {1.5, 1.5, 1.5});
  EXPECT_FALSE(mentions(tiny, " L+") || mentions(tiny, "L+N%")) << tiny;
  // no live count under the first allocator (as for a whole program): nothing to compare against
  std::string none = live_table({-1, -1}, {40, 40});
  EXPECT_FALSE(mentions(none, " L+") || mentions(none, "L+N%")) << none;
}
