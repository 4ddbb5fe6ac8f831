// steady-state and profile-load run in-process: the operation stream follows
// the seed, scale and threads multiply it as documented, the profile keeps a
// trace's size distribution, and the RSS creep fit is checked on synthetic
// series. No timing.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "allocscope/workload.hpp"
#include "trace/format/trace_io.hpp"
#include "workloads/synthetic/rss_creep.hpp"
#include "workloads/trace/profile.hpp"

namespace allocscope {
namespace {

using Given = std::map<std::string, std::string>;

// What a run leaves in its context, read before the tear-down.
struct Figures {
  uint64_t ops = 0, peak = 0, end = 0;
  std::vector<uint64_t> thread_ops;
  std::map<std::string, double> extra;
};

Figures run_workload(const std::string& name, const Given& given, int threads = 1, uint64_t seed = 42) {
  const WorkloadInfo* info = WorkloadRegistry::instance().find(name);
  if (!info) throw std::runtime_error("no workload " + name);
  RunContext ctx(*info, Params::resolve(name, info->params, given), threads, seed, 0);
  if (info->validate) info->validate(ctx.params());
  auto w = info->make();
  w->prepare(ctx);
  w->run(ctx);
  Figures f{ctx.ops(), ctx.live_peak_bytes(), ctx.live_bytes(), {}, ctx.extra()};
  for (int t = 0; t < threads; ++t) f.thread_ops.push_back(ctx.stats(t).ops());
  w->finish(ctx);
  EXPECT_EQ(ctx.live_bytes(), 0u) << name << ": the tear-down frees everything";
  return f;
}

const std::string kSource = ALLOCSCOPE_SOURCE_DIR;
const Given kSmallProfile = {{"scale", "0.05"}};
const Given kSmallSteady = {{"ops", "20000"}, {"live_mb", "2"}, {"duration_s", "1000"}, {"period", "6400"}};

TEST(ProfileLoad, SameSeedSameStreamOtherSeedOther) {
  const Figures a = run_workload("profile-load", kSmallProfile, 1, 7);
  const Figures b = run_workload("profile-load", kSmallProfile, 1, 7);
  const Figures c = run_workload("profile-load", kSmallProfile, 1, 8);
  EXPECT_EQ(a.ops, b.ops);
  EXPECT_EQ(a.peak, b.peak);
  EXPECT_EQ(a.end, b.end);
  EXPECT_GT(a.ops, 0u);
  EXPECT_TRUE(a.ops != c.ops || a.peak != c.peak || a.end != c.end);
  EXPECT_NE(a.peak, c.peak);
  // One thread: the planned peak is the measured one.
  EXPECT_EQ(a.extra.at("profile_planned_peak_bytes"), static_cast<double>(a.peak));
}

TEST(ProfileLoad, ScaleTwoDoublesTheOpsAndGrowsTheLiveSet) {
  const Figures one = run_workload("profile-load", {{"scale", "0.05"}});
  const Figures two = run_workload("profile-load", {{"scale", "0.1"}});
  const double r = static_cast<double>(two.ops) / static_cast<double>(one.ops);
  EXPECT_GT(r, 1.8);
  EXPECT_LT(r, 2.2);
  EXPECT_GT(two.peak, one.peak);
  EXPECT_GT(two.end, one.end);  // twice the blocks that live to the end
  // Lifetimes as recorded: at scale 0.1 they are ten times the stretched ones,
  // so fewer blocks are freed inside the window and more stay live.
  const Figures flat = run_workload("profile-load", {{"scale", "0.1"}, {"scale_lifetimes", "0"}});
  EXPECT_LT(flat.ops, two.ops);
  EXPECT_GT(flat.peak, two.peak);
}

TEST(ProfileLoad, ThreadsRunIndependentGenerators) {
  const Figures one = run_workload("profile-load", kSmallProfile, 1);
  const Figures two = run_workload("profile-load", kSmallProfile, 2);
  ASSERT_EQ(two.thread_ops.size(), 2u);
  EXPECT_EQ(two.thread_ops[0], one.ops);  // thread 0 draws from the same seed as a lone thread
  EXPECT_GT(two.thread_ops[1], 0u);
  EXPECT_NEAR(static_cast<double>(two.ops) / static_cast<double>(one.ops), 2.0, 0.2);
  EXPECT_GT(two.extra.at("profile_planned_peak_bytes"), one.extra.at("profile_planned_peak_bytes"));
}

// Share of values <= each power of two in the trace's histogram (trace info)
// and in `n` draws from the profile.
void expect_same_size_cdf(const trace::Summary& sum, const profile::Profile& p, double tol) {
  profile::Sampler s(p);
  Rng rng(1);
  std::vector<uint64_t> draws(200000);
  for (auto& v : draws) v = s.size(rng);
  uint64_t total = 0, below = 0;
  for (const auto& [le, n] : sum.size_histogram) total += n;
  for (const auto& [le, n] : sum.size_histogram) {
    below += n;
    uint64_t drawn = 0;
    for (uint64_t v : draws) drawn += v <= le;
    EXPECT_NEAR(static_cast<double>(drawn) / static_cast<double>(draws.size()),
                static_cast<double>(below) / static_cast<double>(total), tol)
        << "share of sizes <= " << le;
  }
}

TEST(Profile, FromAShippedTraceKeepsItsSizeDistribution) {
  const trace::Trace t = trace::read_trace_file(kSource + "/trace/recordings/python.trace");
  const trace::Summary sum = trace::summarize(t);
  const profile::Profile p = profile::profile_from_trace(t);
  uint64_t hist_total = 0, sizes = 0, lives = 0;
  for (const auto& [le, n] : sum.size_histogram) hist_total += n;
  for (const auto& b : p.sizes) sizes += b.count;
  for (const auto& b : p.lifetimes) lives += b.count;
  EXPECT_EQ(p.allocs, hist_total);
  EXPECT_EQ(sizes, p.allocs);
  EXPECT_EQ(lives + p.immortal, p.allocs);  // every block ends once, or never
  EXPECT_EQ(p.source_peak_live, sum.peak_live_bytes);
  expect_same_size_cdf(sum, p, 0.01);
  // The built-in profile was computed from this trace.
  const profile::Profile* b = profile::builtin("python");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->allocs, p.allocs);
  expect_same_size_cdf(sum, *b, 0.01);
}

TEST(Profile, BinsEndOnPowersOfTwo) {
  for (uint64_t v : {0ull, 1ull, 16ull, 17ull, 32ull, 33ull, 100ull, 4096ull, 4097ull, 1ull << 40}) {
    const profile::Bin b = profile::bin_of(v);
    EXPECT_LE(b.lo, v);
    EXPECT_GE(b.hi, v);
    // A bin never straddles a power of two: lo - 1 and hi share their top bit's octave.
    if (b.lo > 16) {
      EXPECT_EQ(63 - __builtin_clzll(b.lo - 1), 63 - __builtin_clzll(b.hi - 1)) << v;
    }
  }
  EXPECT_EQ(profile::bin_of(32).hi, 32u);
  EXPECT_EQ(profile::bin_of(33).lo, 33u);
}

TEST(ProfileLoad, RunsFromATraceFile) {
  const Figures f = run_workload("profile-load", {{"trace", "trace/recordings/sqlite.trace"}, {"scale", "0.2"}});
  EXPECT_GT(f.ops, 0u);
  EXPECT_GT(f.peak, 0u);
  EXPECT_THROW(run_workload("profile-load", {{"profile", "nope"}}), ParamError);
}

TEST(RssCreep, SlopeOfASyntheticSeries) {
  std::vector<double> t, rss;
  for (int i = 0; i <= 60; ++i) {
    t.push_back(i);
    // 1000 B/s = 60000 B/min after a warm-up climb in the first quarter.
    rss.push_back(i < 15 ? 1e6 * i : 100e6 + 1000.0 * i + (i % 2 ? 500 : -500));
  }
  const synthetic::Creep c = synthetic::rss_creep(t.data(), rss.data(), t.size(), 0.25);
  EXPECT_EQ(c.samples, 46u);                     // t = 15 .. 60
  EXPECT_NEAR(c.bytes_per_min, 60000.0, 300.0);  // the +-500 B wobble moves the fit a little
  EXPECT_NEAR(synthetic::least_squares_slope(t.data(), t.data(), 0, t.size()), 1.0, 1e-12);
  const std::vector<double> flat(t.size(), 5e6);
  EXPECT_EQ(synthetic::rss_creep(t.data(), flat.data(), t.size(), 0.5).bytes_per_min, 0.0);
  EXPECT_EQ(synthetic::rss_creep(t.data(), rss.data(), 1, 0.0).bytes_per_min, 0.0);  // one point: no line
  EXPECT_EQ(synthetic::rss_creep(t.data(), rss.data(), 0, 0.0).samples, 0u);
}

TEST(SteadyState, OpsStopsItDeterministically) {
  const Figures a = run_workload("steady-state", kSmallSteady, 1, 7);
  const Figures b = run_workload("steady-state", kSmallSteady, 1, 7);
  const Figures c = run_workload("steady-state", kSmallSteady, 1, 8);
  EXPECT_GT(a.ops, 20000u);  // 20000 mallocs and the frees they forced
  EXPECT_LT(a.ops, 2 * 20000u);
  EXPECT_EQ(a.ops, b.ops);
  EXPECT_EQ(a.peak, b.peak);
  EXPECT_EQ(a.end, b.end);
  EXPECT_TRUE(a.ops != c.ops || a.peak != c.peak || a.end != c.end);
  EXPECT_GE(a.extra.at("rss_creep_samples"), 1.0);
  EXPECT_TRUE(a.extra.count("rss_creep_bytes_per_min"));
  EXPECT_TRUE(a.extra.count("rss_creep_ratio_per_min"));
}

TEST(SteadyState, LiveSetStaysBounded) {
  Given g = kSmallSteady;
  g["ops"] = "200000";
  g["max"] = "16K";
  const Figures f = run_workload("steady-state", g);
  // The long-lived pool's budget plus the short-lived ring at its largest.
  EXPECT_LE(f.peak, (2u << 20) + 1024u * 16384u);
  EXPECT_GT(f.peak, 1u << 20);  // the pool fills up
}

TEST(SteadyState, ThreadsEachRunTheirOwnPool) {
  const Figures one = run_workload("steady-state", kSmallSteady, 1);
  const Figures two = run_workload("steady-state", kSmallSteady, 2);
  ASSERT_EQ(two.thread_ops.size(), 2u);
  EXPECT_EQ(two.thread_ops[0], one.ops);
  EXPECT_GT(two.thread_ops[1], 20000u);
}

TEST(SteadyState, DurationModeSamplesRss) {
  const Figures f = run_workload("steady-state", {{"duration_s", "0.3"}, {"live_mb", "2"}, {"sample_ms", "20"}});
  EXPECT_GT(f.ops, 0u);
  EXPECT_GE(f.extra.at("rss_creep_samples"), 3.0);
}

}  // namespace
}  // namespace allocscope
