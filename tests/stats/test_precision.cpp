// Unit tests of the paired-ratio interval, the sign test and the paired
// verdict, the stopping rule and the shape checks (modes, outliers). Expected ranks follow from the binomial
// distribution with p = 1/2 (values in the comments).
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "harness/stats/modes.hpp"
#include "harness/stats/paired_ratio.hpp"
#include "harness/stats/stopping.hpp"
#include "harness/stats/verdict.hpp"

using namespace allocscope::stats;

TEST(PairedRatio, SignTestIntervalNeedsSixRoundsAt95Percent) {
  // P(X = 0) = 1/64 = 0.0156 <= 0.025 for n = 6; 1/32 > 0.025 for n = 5.
  EXPECT_EQ(min_rounds_for_interval(0.95), 6u);
  EXPECT_EQ(min_rounds_for_interval(0.99), 8u);  // 1/256 <= 0.005 < 1/128
  auto r = paired_median_ratio({1, 1, 1, 1, 1}, {2, 2, 2, 2, 2});
  EXPECT_DOUBLE_EQ(r.ratio, 2);
  EXPECT_FALSE(r.has_interval);
  EXPECT_TRUE(std::isinf(r.half_width()));
}

TEST(PairedRatio, IntervalIsTheOrderStatisticsOfThePairedRatios) {
  // Ten rounds; the ratios are 1.00 .. 1.09 in a scrambled order. For n = 10,
  // P(X <= 1) = 11/1024 = 0.0107 <= 0.025 < P(X <= 2) = 0.0547: k = 2, the
  // interval is [x_(2), x_(9)].
  std::vector<double> base, cand;
  const int order[] = {3, 9, 0, 5, 1, 8, 2, 7, 4, 6};
  for (int i : order) {
    double b = 100 + 10 * i;  // the baseline level moves between rounds
    base.push_back(b);
    cand.push_back(b * (1.0 + 0.01 * i));
  }
  auto r = paired_median_ratio(base, cand);
  ASSERT_TRUE(r.has_interval);
  EXPECT_EQ(r.rounds, 10u);
  const double mid = std::sqrt(1.04 * 1.05);  // the median of the logs, back on the ratio scale
  EXPECT_NEAR(r.ratio, mid, 1e-12);
  EXPECT_NEAR(r.lo, 1.01, 1e-12);
  EXPECT_NEAR(r.hi, 1.08, 1e-12);
  EXPECT_NEAR(r.half_width(), mid / 1.01 - 1, 1e-12);
}

TEST(PairedRatio, OneWildRoundMovesTheIntervalByOneRankOnly) {
  std::vector<double> base(12, 100.0), cand(12, 110.0);
  for (int i = 0; i < 12; ++i) cand[i] += i * 0.1;
  auto calm = paired_median_ratio(base, cand);
  cand[5] = 1000;  // a round disturbed by the machine
  auto wild = paired_median_ratio(base, cand);
  ASSERT_TRUE(wild.has_interval);
  EXPECT_LT(wild.hi, 1.2);  // the wild ratio (10x) is outside the interval
  EXPECT_NEAR(wild.ratio, calm.ratio, 0.002);
}

TEST(PairedRatio, NonPositiveRoundsAreDropped) {
  auto r = paired_median_ratio({0, 100, 100, -1}, {50, 120, 0, 90});
  EXPECT_EQ(r.rounds, 1u);
  EXPECT_DOUBLE_EQ(r.ratio, 1.2);
  EXPECT_EQ(paired_median_ratio({}, {}).rounds, 0u);
}

TEST(PairedRatio, CoverageIsAtLeastTheLevelOnSimulatedNoise) {
  // 2000 simulated jobs with a true ratio of 1.1 and lognormal noise of 25%
  // (the machine's CV) per side: the 95% interval must cover 1.1 in at least
  // 93% of them (sign-test intervals are conservative).
  std::mt19937_64 rng(42);
  std::normal_distribution<double> noise(0, 0.25);
  int covered = 0, jobs = 2000;
  for (int j = 0; j < jobs; ++j) {
    std::vector<double> b, c;
    for (int i = 0; i < 15; ++i) {
      double round_load = std::exp(noise(rng));
      b.push_back(100 * round_load * std::exp(noise(rng) / 3));
      c.push_back(110 * round_load * std::exp(noise(rng) / 3));
    }
    auto r = paired_median_ratio(b, c);
    if (r.lo <= 1.1 && 1.1 <= r.hi) ++covered;
  }
  EXPECT_GE(covered, jobs * 93 / 100);
}

TEST(Stopping, ReachedNeedsRoundsAndAnIntervalWithinTheTarget) {
  StopRule rule;
  rule.precision = 0.02;
  std::vector<double> b(6, 100.0), c{110, 110.5, 111, 111.5, 112, 112.5};
  auto r = paired_median_ratio(b, c);  // [1.10, 1.125] around 1.1125: +-1.1%
  EXPECT_TRUE(precision_reached(r, rule));
  rule.precision = 0.01;
  EXPECT_FALSE(precision_reached(r, rule));
  rule.precision = 0.02;
  rule.min_rounds = 7;
  EXPECT_FALSE(precision_reached(r, rule));
}

TEST(Stopping, RoundFitsTheBudget) {
  StopRule rule;
  EXPECT_TRUE(round_fits(1e9, 10, rule));  // no budget
  rule.max_time_s = 90;
  EXPECT_TRUE(round_fits(70, 20, rule));
  EXPECT_FALSE(round_fits(70, 21, rule));
}

TEST(Modes, TwoClustersTwentyTimesApartAreFlagged) {
  // The shape of xmalloc t=2 on two shared cores: 5-11 and 111-113 M ops/s.
  auto m = detect_modes({5.3, 7.1, 10.9, 111.5, 8.2, 112.6, 6.0, 111.9, 9.4});
  EXPECT_TRUE(m.multimodal);
  EXPECT_EQ(m.low_count, 6u);
  EXPECT_EQ(m.high_count, 3u);
  EXPECT_NEAR(m.high_center, 111.9, 1e-9);
}

TEST(Modes, OneNoisyClusterIsNotFlagged) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> noise(0, 0.25);
  int flagged = 0;
  for (int j = 0; j < 500; ++j) {
    std::vector<double> v;
    for (int i = 0; i < 9; ++i) v.push_back(100 * std::exp(noise(rng)));
    if (detect_modes(v).multimodal) ++flagged;
  }
  EXPECT_LE(flagged, 10);                            // at most 2% false flags on unimodal 25% noise
  EXPECT_FALSE(detect_modes({1, 2, 3}).multimodal);  // too few values
  EXPECT_FALSE(detect_modes({100, 100, 100, 100}).multimodal);
}

TEST(Modes, OutliersByMedianAbsoluteDeviation) {
  EXPECT_EQ(outliers({100, 101, 99, 102, 98, 100, 300}), std::vector<size_t>{6});
  EXPECT_TRUE(outliers({100, 101, 99, 102, 98, 100, 104}).empty());
  EXPECT_TRUE(outliers({100, 300, 100, 100}).empty());                  // fewer than 5 values
  EXPECT_EQ(outliers({7, 7, 7, 7, 7, 9}), std::vector<size_t>{5});      // exact counts
  EXPECT_TRUE(outliers({1000, 1000, 1000, 1000, 1001, 1000}).empty());  // 0.1% off: agreement, not an outlier
  EXPECT_EQ(outliers({1000, 1000, 1000, 1000, 1001, 1000}, 3.5, 0), std::vector<size_t>{4});
}

TEST(SignTest, ExactBinomialTwoSided) {
  // 6 of 6 pairs above: 2 x (1/2)^6.
  EXPECT_DOUBLE_EQ(sign_test_p({1, 1, 1, 1, 1, 1}, {2, 2, 2, 2, 2, 2}), 2.0 / 64);
  // 8 of 10 above: 2 x (1 + 10 + 45) / 1024.
  std::vector<double> b(10, 100), c{110, 110, 110, 110, 110, 110, 110, 110, 90, 90};
  EXPECT_DOUBLE_EQ(sign_test_p(b, c), 2.0 * 56 / 1024);
  // Ties and non-positive rounds are dropped: 3 of 3 left, p = 2/8.
  EXPECT_DOUBLE_EQ(sign_test_p({1, 1, 1, 1, 0}, {2, 2, 2, 1, 5}), 0.25);
  EXPECT_DOUBLE_EQ(sign_test_p({1, 1}, {1, 1}), 1.0);
}

// Interleaved rounds whose level swings 3x with the machine's load, the
// candidate 10% slower in every round: the paired median ratio sees the 10%
// and the sign test is significant, where comparing the two sides' rounds
// as unrelated samples cannot tell it from noise.
TEST(PairedVerdict, TenPercentSlowerEveryRoundRegressesWhenPaired) {
  std::vector<double> base, cand;
  for (int i = 0; i < 12; ++i) {
    const double level = 50e6 * (1 + (i * 7) % 12 / 6.0);  // 50-142 M ops/s, shuffled
    base.push_back(level);
    cand.push_back(level * (i % 4 == 0 ? 0.88 : 0.9));
  }
  const allocscope::MetricDef* def = allocscope::find_metric("ops_per_s");
  ASSERT_NE(def, nullptr);
  const auto policy = policy_for(*def, 1);
  auto paired = compare_metric(*def, policy, base, cand, 0.05, {}, /*paired=*/true);
  EXPECT_TRUE(paired.paired_median);
  EXPECT_NEAR(paired.ratio, 0.9, 1e-9);
  EXPECT_NEAR(paired.p, 2.0 / 4096, 1e-12);  // 12 of 12 below
  EXPECT_EQ(paired.verdict, Verdict::Regressed);
  EXPECT_LE(paired.ci.hi, 0.9 + 1e-9);

  auto unpaired = compare_metric(*def, policy, base, cand, 0.05, {}, /*paired=*/false);
  EXPECT_FALSE(unpaired.paired_median);
  EXPECT_GT(unpaired.p, 0.05);
  EXPECT_NE(unpaired.verdict, Verdict::Regressed);

  // Fewer than 6 rounds have no sign-test interval: the bootstrap decides.
  std::vector<double> b5(base.begin(), base.begin() + 5), c5(cand.begin(), cand.begin() + 5);
  EXPECT_FALSE(compare_metric(*def, policy, b5, c5, 0.05, {}, true).paired_median);
}
