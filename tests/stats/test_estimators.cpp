// Unit tests of the estimators, the bootstrap CI, the Mann-Whitney test and
// the verdict rules. Expected p-values were computed by hand / by brute-force
// enumeration of all rank assignments (see the comments).
#include <gtest/gtest.h>

#include <cmath>

#include "harness/stats/bootstrap.hpp"
#include "harness/stats/comparison.hpp"
#include "harness/stats/estimators.hpp"
#include "harness/stats/mann_whitney.hpp"
#include "harness/stats/verdict.hpp"

using namespace allocscope;
using namespace allocscope::stats;

TEST(Estimators, OrderStatisticsAndMeans) {
  std::vector<double> v{5, 1, 4, 2, 3};
  EXPECT_EQ(minimum(v), 1);
  EXPECT_EQ(maximum(v), 5);
  EXPECT_EQ(median(v), 3);
  EXPECT_EQ(median({4, 1, 3, 2}), 2.5);
  EXPECT_DOUBLE_EQ(quantile(v, 0.25), 2);
  EXPECT_DOUBLE_EQ(mean(v), 3);
  EXPECT_NEAR(stddev(v), std::sqrt(2.5), 1e-12);
  EXPECT_NEAR(geomean({2, 8}), 4, 1e-12);
  EXPECT_NEAR(geomean({1.21, 1.0 / 1.21, 0, -1}), 1, 1e-12);  // non-positive values skipped
  EXPECT_EQ(estimate(Estimator::Min, v), 1);
  EXPECT_EQ(estimate(Estimator::Max, v), 5);
}

TEST(Bootstrap, ConstantSamplesGiveTheExactRatio) {
  auto ci = bootstrap_ratio_ci({10, 10, 10, 10}, {12, 12, 12}, Estimator::Median);
  EXPECT_DOUBLE_EQ(ci.lo, 1.2);
  EXPECT_DOUBLE_EQ(ci.hi, 1.2);
}

TEST(Bootstrap, DeterministicForASeedAndCoversTheTrueRatio) {
  std::vector<double> base{100, 103, 101, 108, 105, 102, 107, 104, 106, 109}, cand;
  for (double b : base) cand.push_back(b * 1.1);
  BootstrapOptions o;
  auto a = bootstrap_ratio_ci(base, cand, Estimator::Median, o);
  auto b = bootstrap_ratio_ci(base, cand, Estimator::Median, o);
  EXPECT_EQ(a.lo, b.lo);
  EXPECT_EQ(a.hi, b.hi);
  EXPECT_LE(a.lo, 1.1);
  EXPECT_GE(a.hi, 1.1);
  EXPECT_LT(a.lo, a.hi);
  // Every resampled ratio lies between min(c)/max(b) and max(c)/min(b).
  auto m = bootstrap_ratio_ci(base, cand, Estimator::Min, o);
  EXPECT_GE(m.lo, 110.0 / 109);
  EXPECT_LE(m.hi, 109 * 1.1 / 100);
  o.seed = 7;
  auto c = bootstrap_ratio_ci(base, cand, Estimator::Median, o);
  EXPECT_NEAR(c.lo, a.lo, 0.03);
}

TEST(Bootstrap, PairedRoundsCancelSharedNoise) {
  // Each round's load slows both sides alike: resampling whole rounds keeps
  // the ratio exact, resampling each side alone does not.
  std::vector<double> base{1, 2, 3, 4, 5}, cand;
  for (double b : base) cand.push_back(b * 1.1);
  auto p = bootstrap_ratio_ci_paired(base, cand, Estimator::Median);
  EXPECT_NEAR(p.lo, 1.1, 1e-12);
  EXPECT_NEAR(p.hi, 1.1, 1e-12);
  auto u = bootstrap_ratio_ci(base, cand, Estimator::Median);
  EXPECT_LT(u.lo, 1.0);
  EXPECT_GT(u.hi, 1.2);
}

TEST(Bootstrap, EmptySide) {
  auto ci = bootstrap_ratio_ci({}, {1, 2}, Estimator::Median);
  EXPECT_EQ(ci.lo, 0);
  EXPECT_EQ(ci.hi, 0);
}

TEST(MannWhitney, ExactSmallSamples) {
  // {1,2,3} vs {4,5,6}: U = 0, the most extreme of C(6,3) = 20 splits on each side: p = 2/20.
  auto r = mann_whitney({1, 2, 3}, {4, 5, 6});
  EXPECT_TRUE(r.exact);
  EXPECT_DOUBLE_EQ(r.u, 0);
  EXPECT_NEAR(r.p, 0.1, 1e-12);
  // Five against five, fully separated: p = 2 / C(10,5) = 2/252.
  EXPECT_NEAR(mann_whitney({6, 7, 8, 9, 10}, {1, 2, 3, 4, 5}).p, 2.0 / 252, 1e-12);
  EXPECT_DOUBLE_EQ(mann_whitney({6, 7, 8, 9, 10}, {1, 2, 3, 4, 5}).u, 25);
  // {3,1,4,1,5} vs {9,2,6,5,3}: U = 6, p = 58/252 (enumeration of all 252 splits).
  auto s = mann_whitney({3, 1, 4, 1, 5}, {9, 2, 6, 5, 3});
  EXPECT_DOUBLE_EQ(s.u, 6);
  EXPECT_NEAR(s.p, 58.0 / 252, 1e-12);
}

TEST(MannWhitney, ExactWithTies) {
  // Mid-ranks: {1,2,2,3} vs {2,3,4,5}: U = 0 + 2 * 0.5 + (1 + 0.5) = 2.5; the
  // permutation distribution of the mid-rank sums gives p = 14/70 = 0.2.
  auto r = mann_whitney({1, 2, 2, 3}, {2, 3, 4, 5});
  EXPECT_TRUE(r.exact);
  EXPECT_DOUBLE_EQ(r.u, 2.5);
  EXPECT_NEAR(r.p, 0.2, 1e-12);
  // Everything equal: no evidence at all.
  EXPECT_NEAR(mann_whitney({1, 1, 1}, {1, 1, 1}).p, 1, 1e-12);
}

TEST(MannWhitney, NormalApproximation) {
  // 25 vs 25 separated: U = 0, mu = 312.5, sigma^2 = 25*25*51/12; z = (312.5 - 0.5)/sigma.
  std::vector<double> a, b;
  for (int i = 1; i <= 25; ++i) a.push_back(i), b.push_back(i + 25);
  auto r = mann_whitney(a, b);
  EXPECT_FALSE(r.exact);
  EXPECT_NEAR(r.p, 1.4156562248495634e-09, 1e-13);
  // 30 vs 30 with heavy ties (values 0..6 and 1..7): tie-corrected variance;
  // U = 330.5, p = 0.0758190542 (computed from the formula by hand).
  std::vector<double> c, d;
  for (int i = 0; i < 30; ++i) c.push_back(i % 7), d.push_back(i % 7 + 1);
  auto t = mann_whitney(c, d);
  EXPECT_DOUBLE_EQ(t.u, 330.5);
  EXPECT_NEAR(t.p, 0.07581905416784064, 1e-9);
}

TEST(MannWhitney, SmallestAttainableP) {
  EXPECT_NEAR(mann_whitney_min_p(3, 3), 0.1, 1e-12);
  EXPECT_NEAR(mann_whitney_min_p(4, 4), 2.0 / 70, 1e-12);
  EXPECT_NEAR(mann_whitney_min_p(5, 5), 2.0 / 252, 1e-12);
}

namespace {
MetricComparison cmp(const std::string& metric, int threads, const std::vector<double>& b, const std::vector<double>& c,
                     double threshold, double live_peak = 0) {
  const MetricDef* d = find_metric(metric);
  EXPECT_NE(d, nullptr);
  return compare_metric(*d, policy_for(*d, threads, live_peak), b, c, threshold);
}
std::vector<double> scaled(const std::vector<double>& v, double f) {
  std::vector<double> o;
  for (double x : v) o.push_back(x * f);
  return o;
}
const std::vector<double> kTimes{1.00, 1.01, 1.02, 1.03, 1.04};
}  // namespace

TEST(Verdict, Policies) {
  EXPECT_FALSE(policy_for(*find_metric("ops"), 1).compared);
  EXPECT_EQ(policy_for(*find_metric("window_s"), 1).estimator, Estimator::Min);
  EXPECT_EQ(policy_for(*find_metric("ops_per_s"), 1).estimator, Estimator::Max);
  EXPECT_EQ(policy_for(*find_metric("peak_rss_bytes"), 1).estimator, Estimator::Median);
  EXPECT_EQ(policy_for(*find_metric("peak_rss_bytes"), 1).floor_abs, 256 * 1024);
  EXPECT_TRUE(policy_for(*find_metric("syscalls_total"), 1).exact);
  EXPECT_FALSE(policy_for(*find_metric("syscalls_total"), 2).exact);
  EXPECT_TRUE(policy_for(*find_metric("minflt"), 1).exact);
  EXPECT_FALSE(policy_for(*find_metric("minflt"), 4).exact);
  EXPECT_FALSE(policy_for(*find_metric("invol_ctx_switches"), 1).exact);
  EXPECT_TRUE(policy_for(*find_metric("instructions"), 1).exact);
  EXPECT_DOUBLE_EQ(policy_for(*find_metric("frag_peak_ratio"), 1, 1024 * 1024).floor_abs, 0.25);
}

TEST(Verdict, TimeRegressedImprovedUnchanged) {
  EXPECT_EQ(cmp("window_s", 1, kTimes, scaled(kTimes, 1.2), 0.05).verdict, Verdict::Regressed);
  EXPECT_EQ(cmp("window_s", 1, kTimes, scaled(kTimes, 0.8), 0.05).verdict, Verdict::Improved);
  auto same = cmp("window_s", 1, kTimes, kTimes, 0.05);
  EXPECT_EQ(same.verdict, Verdict::Unchanged);
  EXPECT_DOUBLE_EQ(same.ratio, 1);
  // A real but small change inside the threshold is not a regression.
  EXPECT_NE(cmp("window_s", 1, kTimes, scaled(kTimes, 1.03), 0.05).verdict, Verdict::Regressed);
}

TEST(Verdict, ThroughputDirection) {
  std::vector<double> ops{1e6, 1.01e6, 1.02e6, 0.99e6, 1.0e6};
  auto r = cmp("ops_per_s", 1, ops, scaled(ops, 0.8), 0.05);
  EXPECT_EQ(r.verdict, Verdict::Regressed);
  EXPECT_NEAR(r.ratio, 0.8, 1e-12);  // max / max
  EXPECT_EQ(cmp("ops_per_s", 1, ops, scaled(ops, 1.25), 0.05).verdict, Verdict::Improved);
}

TEST(Verdict, NoisyDataIsInconclusive) {
  auto r = cmp("window_s", 1, {1, 2, 3, 1.5, 2.5}, {1.2, 2.2, 3.1, 1.6, 2.4}, 0.05);
  EXPECT_EQ(r.verdict, Verdict::Inconclusive);
}

TEST(Verdict, CiRuleAcceptsAWholeCiBeyondTheThreshold) {
  // The best rounds moved by 20% but the rank test over all rounds is not
  // significant (the other rounds overlap).
  std::vector<double> base{1.00, 1.01, 1.02, 3.0, 3.1, 3.2, 3.3}, cand{1.20, 1.21, 1.22, 2.9, 3.0, 3.1, 3.2};
  const MetricDef* d = find_metric("window_s");
  auto pol = policy_for(*d, 1);
  auto strict = compare_metric(*d, pol, base, cand, 0.05);
  EXPECT_GT(strict.p, 0.05);
  EXPECT_GT(strict.ci.lo, 1.05);
  EXPECT_EQ(strict.verdict, Verdict::Inconclusive);
  VerdictRules ci;
  ci.ci_alone = true;
  EXPECT_EQ(compare_metric(*d, pol, base, cand, 0.05, ci).verdict, Verdict::Regressed);
  // Not with fewer than 5 rounds per side.
  EXPECT_NE(compare_metric(*d, pol, {1.0, 1.01, 3.0, 3.1}, {1.2, 1.21, 2.9, 3.0}, 0.05, ci).verdict,
            Verdict::Regressed);
}

TEST(Verdict, TooFewRoundsCannotRegress) {
  auto r = cmp("window_s", 1, {1, 1.01, 1.02}, {2, 2.01, 2.02}, 0.05);
  EXPECT_EQ(r.verdict, Verdict::Inconclusive);
  EXPECT_NE(r.note.find("too few rounds"), std::string::npos);
}

TEST(Verdict, ExactCounts) {
  std::vector<double> b(5, 100);
  EXPECT_EQ(cmp("syscalls_total", 1, b, std::vector<double>(5, 101), 0).verdict, Verdict::Regressed);
  EXPECT_EQ(cmp("syscalls_total", 1, b, std::vector<double>(5, 99), 0).verdict, Verdict::Improved);
  EXPECT_EQ(cmp("syscalls_total", 1, b, b, 0).verdict, Verdict::Unchanged);
  EXPECT_EQ(cmp("syscalls_total", 1, b, std::vector<double>(5, 101), 0.02).verdict, Verdict::Unchanged);
  // Exact needs no CI and no significance: one round each is enough.
  auto one = cmp("syscalls_total", 1, {100}, {130}, 0);
  EXPECT_EQ(one.verdict, Verdict::Regressed);
  EXPECT_TRUE(std::isnan(one.p));
  // Zero baseline: any count is a regression.
  EXPECT_EQ(cmp("syscalls_total", 1, {0, 0}, {1, 1}, 0).verdict, Verdict::Regressed);
}

TEST(Verdict, MemoryFloor) {
  const double mib = 1024 * 1024;
  std::vector<double> b(5, 10 * mib);
  // +200 KiB is 2% (beyond a 1% threshold) but below the 256 KiB floor.
  auto small = cmp("peak_rss_bytes", 1, b, std::vector<double>(5, 10 * mib + 200 * 1024), 0.01);
  EXPECT_EQ(small.verdict, Verdict::Unchanged);
  EXPECT_NE(small.note.find("floor"), std::string::npos);
  EXPECT_EQ(cmp("peak_rss_bytes", 1, b, std::vector<double>(5, 11 * mib), 0.05).verdict, Verdict::Regressed);
  EXPECT_EQ(cmp("peak_rss_bytes", 1, b, std::vector<double>(5, 9 * mib), 0.05).verdict, Verdict::Improved);
  // Fragmentation ratio of a job with 1 MiB live: the floor is 0.25 in ratio units.
  EXPECT_EQ(cmp("frag_peak_ratio", 1, std::vector<double>(5, 2.0), std::vector<double>(5, 2.2), 0.05, mib).verdict,
            Verdict::Unchanged);
}

TEST(Comparison, MatchesJobsAndComputesGeomean) {
  auto run = [](const std::string& alloc, const std::string& wl, int round, double ops) {
    return json{{"allocator", alloc},
                {"workload", wl},
                {"params", {{"ops", "10"}}},
                {"threads", 1},
                {"round", round},
                {"warmup", false},
                {"status", "ok"},
                {"metrics", {{"ops_per_s", ops}, {"syscalls_total", 10}}}};
  };
  json doc{{"schema", kResultsSchema}, {"runs", json::array()}};
  for (int r = 0; r < 5; ++r) {
    doc["runs"].push_back(run("a", "w1", r, 100 + r));
    doc["runs"].push_back(run("b", "w1", r, 121 + r * 1.21));
    doc["runs"].push_back(run("a", "w2", r, 100 + r));
    doc["runs"].push_back(run("b", "w2", r, 100 + r));
  }
  // A failed round and a warm-up round are ignored.
  json bad = run("b", "w2", 9, 1);
  bad["status"] = "crashed";
  doc["runs"].push_back(bad);
  json warm = run("b", "w2", -1, 1);
  warm["warmup"] = true;
  doc["runs"].push_back(warm);
  CompareInput in;
  in.base_doc = in.cand_doc = results_from_json(doc, "test");
  in.base_alloc = in.base_name = "a";
  in.cand_alloc = in.cand_name = "b";
  in.metrics = {"ops_per_s", "syscalls_total"};
  Comparison c = compare(in);
  ASSERT_EQ(c.jobs.size(), 2u);
  EXPECT_EQ(c.jobs[0].name(), "w1/ops=10/threads:1");
  EXPECT_EQ(c.jobs[0].metrics[0].n_cand, 5u);
  EXPECT_EQ(c.jobs[1].metrics[0].n_cand, 5u);
  EXPECT_EQ(c.jobs[0].metrics[0].verdict, Verdict::Improved);
  EXPECT_EQ(c.jobs[1].metrics[0].verdict, Verdict::Unchanged);
  EXPECT_NEAR(c.geomean.at("ops_per_s"), 1.1, 1e-9);  // sqrt(1.21 * 1)
  EXPECT_EQ(c.count(Verdict::Unchanged), 3u);
  in.cand_alloc = "nope";
  EXPECT_THROW(compare(in), std::exception);
}
