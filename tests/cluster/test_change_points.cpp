// Change points on deterministic synthetic series: no change, one step, two
// steps, a step below the reported size, and the false-positive rate on
// pure noise at several levels.
#include <gtest/gtest.h>

#include "harness/stats/change_points.hpp"
#include "tests/cluster/synthetic_series.hpp"

using allocscope::stats::change_points;
using allocscope::stats::ChangePointOptions;
using cluster_test::synthetic_series;

TEST(ChangePoints, FlatSeriesHasNone) {
  EXPECT_TRUE(change_points(synthetic_series({{20, 1e6}}, 0.03, 1)).empty());
  EXPECT_TRUE(change_points(std::vector<double>(15, 42.0)).empty());
  EXPECT_TRUE(change_points({1.0, 2.0, 3.0}).empty());  // too short to split
  EXPECT_TRUE(change_points({}).empty());
}

// The acceptance check in numbers: 8 runs of a pass-through, then 5 of a copy
// 25-45% slower (ops_per_s falls to 0.69-0.8 of its level), noise 3%. (At
// 5% noise the step is still found, but 1 in 40 of these series puts it one
// run late: changepoint-fpr measures how often, docs/scale-out.md.)
TEST(ChangePoints, OneStepAtTheNinthRun) {
  for (double level : {0.8, 0.69}) {
    for (uint64_t seed = 1; seed <= 20; ++seed) {
      auto s = synthetic_series({{8, 2.5e6}, {5, 2.5e6 * level}}, 0.03, seed);
      auto cps = change_points(s);
      ASSERT_EQ(cps.size(), 1u) << "level " << level << " seed " << seed;
      EXPECT_EQ(cps[0].index, 8u) << "level " << level << " seed " << seed;
      EXPECT_NEAR(cps[0].ratio, level, 0.06);
      EXPECT_LE(cps[0].p, 0.01);
    }
  }
}

TEST(ChangePoints, TwoSteps) {
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    auto s = synthetic_series({{10, 100}, {10, 130}, {10, 90}}, 0.04, seed);
    auto cps = change_points(s);
    ASSERT_EQ(cps.size(), 2u) << "seed " << seed;
    EXPECT_EQ(cps[0].index, 10u);
    EXPECT_EQ(cps[1].index, 20u);
    EXPECT_NEAR(cps[0].ratio, 1.3, 0.06);
    EXPECT_NEAR(cps[1].ratio, 90.0 / 130, 0.06);
  }
}

TEST(ChangePoints, SmallStepIsNotReported) {
  // Significant (noise 0.5%) but 4%: below the default 10% minimum change.
  auto s = synthetic_series({{10, 100}, {10, 104}}, 0.005, 3);
  EXPECT_TRUE(change_points(s).empty());
  ChangePointOptions opt;
  opt.min_change = 0.02;
  auto cps = change_points(s, opt);
  ASSERT_EQ(cps.size(), 1u);
  EXPECT_EQ(cps[0].index, 10u);
}

TEST(ChangePoints, OutlierRunIsNotAChange) {
  auto s = synthetic_series({{13, 1e6}}, 0.03, 7);
  s[5] *= 0.5;  // one run on a loaded machine
  EXPECT_TRUE(change_points(s).empty());
}

// Pure noise: a series reports a change in at most ~alpha of the cases
// (the permutation test is exact). 300 series per noise level.
TEST(ChangePoints, FalsePositiveRateOnNoise) {
  for (double cv : {0.02, 0.10, 0.35}) {
    for (int n : {13, 30}) {
      int with_change = 0;
      for (uint64_t seed = 0; seed < 300; ++seed)
        if (!change_points(synthetic_series({{n, 1e6}}, cv, 1000 + seed)).empty()) ++with_change;
      EXPECT_LE(with_change, 9) << "cv " << cv << " n " << n;  // 3% (alpha is 1%)
    }
  }
}
