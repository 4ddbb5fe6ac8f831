// steady-state: a long-running service under a bounded live set whose size
// and lifetime mix drift along a slow cycle. Each thread keeps its own pool of
// long-lived blocks (at most live_mb MiB, random victims evicted to make room)
// and a small ring of short-lived ones; over a cycle of `period` allocations
// the mean request moves between mean_lo and mean_hi (geometrically) and the
// share of long-lived blocks between long_lo and long_hi, a quarter cycle
// apart. A sampler thread reads RSS every sample_ms; the slope of a
// least-squares line through the samples after the warm-up share is the RSS
// creep: a heap that fragments under the drift keeps growing with a constant
// live set.
//
// Random numbers are drawn in prepare(): a table of 2^18 draws per thread,
// walked with an offset that moves every pass, and per-phase size tables; the
// phase is a function of the allocation count, so the operation stream is the
// same for a seed whatever the speed (duration_s only decides where it stops;
// ops=N stops after N allocations per thread).
#include <atomic>
#include <chrono>
#include <cmath>
#include <numbers>

#include "allocscope/alloc_ops.hpp"
#include "allocscope/rng.hpp"
#include "allocscope/sysmem.hpp"
#include "allocscope/workload.hpp"
#include "workloads/synthetic/rss_creep.hpp"

namespace allocscope {
namespace {

constexpr int kPhases = 64;      // phase steps per cycle
constexpr int kQuantiles = 256;  // size quantiles per phase step
constexpr uint64_t kDrawBits = 18;
constexpr size_t kMaxSamples = 4096;

struct Draw {
  uint16_t q;       // size quantile (top 8 bits used)
  uint16_t l;       // long-lived when below the phase's threshold
  uint32_t victim;  // slot
};

// One thread's pools and draws, on cache lines of its own.
struct alignas(64) Pool {
  std::vector<Draw> draws;
  std::vector<Block> long_slots, short_slots;
  uint64_t long_bytes = 0;
};

// RSS samples, preallocated: when full, every other one is dropped and the
// interval doubles (hours fit in a fixed array).
struct Samples {
  std::vector<double> t, rss;
  size_t n = 0;
  double interval = 0.1;
  void add(double at, double bytes) {
    if (n == t.size()) {
      for (size_t i = 0; i < n / 2; ++i) t[i] = t[2 * i], rss[i] = rss[2 * i];
      n /= 2;
      interval *= 2;
    }
    t[n] = at, rss[n] = bytes, ++n;
  }
};

class SteadyState : public Workload {
 public:
  void prepare(RunContext& ctx) override {
    const Params& p = ctx.params();
    ops_ = p.u("ops");
    duration_ = p.d("duration_s");
    budget_ = p.u("live_mb") << 20;
    phase_len_ = std::max<uint64_t>(1, p.u("period") / kPhases);
    build_tables(p);
    const uint64_t cap = std::clamp<uint64_t>(budget_ / p.u("mean_lo"), 64, uint64_t{1} << 24);
    pools_ = std::vector<Pool>(static_cast<size_t>(ctx.threads()));
    for (int t = 0; t < ctx.threads(); ++t) {
      Pool& pl = pools_[static_cast<size_t>(t)];
      Rng rng(thread_seed(ctx.seed(), t));
      pl.draws.resize(size_t{1} << kDrawBits);
      for (Draw& d : pl.draws) {
        const uint64_t r = rng.next();
        d = {static_cast<uint16_t>(r), static_cast<uint16_t>(r >> 16), static_cast<uint32_t>(r >> 32)};
      }
      pl.long_slots.assign(cap, Block{});
      pl.short_slots.assign(p.u("short_slots"), Block{});
    }
    samples_.t.assign(kMaxSamples, 0);
    samples_.rss.assign(kMaxSamples, 0);
    samples_.interval = p.d("sample_ms") / 1000;
  }

  void run(RunContext& ctx) override {
    const int n = ctx.threads();
    ctx.parallel(n + 1, [&](int t) {
      if (t == n)
        sample(n);
      else
        work(ctx.stats(t), pools_[static_cast<size_t>(t)]);
    });
    const synthetic::Creep c =
        synthetic::rss_creep(samples_.t.data(), samples_.rss.data(), samples_.n, ctx.params().d("warmup"));
    const double live = ctx.live_bytes() ? static_cast<double>(ctx.live_bytes()) : static_cast<double>(budget_) * n;
    ctx.report("rss_creep_bytes_per_min", c.bytes_per_min);
    ctx.report("rss_creep_ratio_per_min", c.bytes_per_min / live);
    ctx.report("rss_creep_samples", static_cast<double>(c.samples));
  }

  void finish(RunContext& ctx) override {
    for (size_t t = 0; t < pools_.size(); ++t) {
      free_blocks(ctx.stats(static_cast<int>(t)), pools_[t].long_slots);
      free_blocks(ctx.stats(static_cast<int>(t)), pools_[t].short_slots);
    }
  }

 private:
  // Per phase step: the size quantiles (exponential above `min` with the
  // step's mean, clamped to `max`) and the long-lived threshold.
  void build_tables(const Params& p) {
    const double lo = static_cast<double>(p.u("mean_lo")), hi = static_cast<double>(p.u("mean_hi"));
    const double mn = static_cast<double>(p.u("min")), mx = static_cast<double>(p.u("max"));
    for (int s = 0; s < kPhases; ++s) {
      const double x = static_cast<double>(s) / kPhases;
      const double w = (1 - std::cos(2 * std::numbers::pi * x)) / 2;
      const double mean = lo * std::pow(hi / lo, w);
      for (int q = 0; q < kQuantiles; ++q) {
        const double u = (q + 0.5) / kQuantiles;
        sizes_[s][q] = static_cast<uint32_t>(std::min(mx, mn + (mean - mn) * -std::log1p(-u)));
      }
      const double w2 = (1 - std::cos(2 * std::numbers::pi * (x + 0.25))) / 2;
      const double share = p.d("long_lo") + (p.d("long_hi") - p.d("long_lo")) * w2;
      long_below_[s] = static_cast<uint32_t>(share * 65536);
    }
  }

  void work(ThreadStats& st, Pool& pl) {
    uint64_t i = 0;
    for (;; ++i) {
      if ((i & 255) == 0 && stop_.load(std::memory_order_relaxed)) break;
      if (ops_ != 0 && i == ops_) break;
      step(st, pl, i);
    }
    done_.fetch_add(1, std::memory_order_release);
  }

  // Allocation i: its size and lifetime class from the phase of the cycle.
  void step(ThreadStats& st, Pool& pl, uint64_t i) {
    const uint64_t mask = (uint64_t{1} << kDrawBits) - 1;
    const Draw d = pl.draws[(i + (i >> kDrawBits) * 7919) & mask];
    const size_t ph = static_cast<size_t>((i / phase_len_) % kPhases);
    const uint32_t size = sizes_[ph][d.q >> 8];
    const auto fill = static_cast<unsigned char>(i);
    if (d.l < long_below_[ph]) {
      put_long(st, pl, d.victim, size, fill);
      return;
    }
    Block& b = pl.short_slots[d.victim % pl.short_slots.size()];
    if (b.p) free_block(st, b);
    alloc_block(st, b, size, fill);
  }

  // A long-lived block replaces a random slot's; neighbours are evicted until
  // the pool's live bytes stay within the budget.
  void put_long(ThreadStats& st, Pool& pl, uint32_t victim, uint32_t size, unsigned char fill) {
    const size_t cap = pl.long_slots.size();
    const size_t j = victim % cap;
    Block& b = pl.long_slots[j];
    if (b.p) pl.long_bytes -= b.size, free_block(st, b);
    for (size_t k = j + 1; pl.long_bytes + size > budget_ && k < j + cap; ++k) {
      Block& v = pl.long_slots[k % cap];
      if (v.p) pl.long_bytes -= v.size, free_block(st, v);
    }
    alloc_block(st, b, size, fill);
    pl.long_bytes += size;
  }

  // The sampler thread: RSS every interval until the workers are done; in
  // duration mode it also tells them to stop.
  void sample(int workers) {
    const auto t0 = std::chrono::steady_clock::now();
    double next = 0;
    for (;;) {
      const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      const bool finished = done_.load(std::memory_order_acquire) == workers;
      if (t >= next || finished) {
        samples_.add(t, static_cast<double>(self_rss_bytes()));
        next = std::max(next + samples_.interval, t + samples_.interval / 2);
      }
      if (finished) return;
      if (ops_ == 0 && t >= duration_) stop_.store(true, std::memory_order_relaxed);
      idle_ms(std::clamp((next - t) * 1000, 0.2, 5.0));
    }
  }

  uint64_t ops_ = 0, budget_ = 0, phase_len_ = 1;
  double duration_ = 0;
  uint32_t sizes_[kPhases][kQuantiles]{};
  uint32_t long_below_[kPhases]{};
  std::vector<Pool> pools_;
  Samples samples_;
  std::atomic<bool> stop_{false};
  std::atomic<int> done_{0};
};

void validate_steady_state(const Params& p) {
  validate_min_max(p);
  if (p.u("mean_lo") < p.u("min") || p.u("mean_hi") < p.u("mean_lo") || p.u("max") < p.u("mean_hi"))
    throw ParamError("steady-state: need min <= mean_lo <= mean_hi <= max");
  if (p.d("long_hi") < p.d("long_lo")) throw ParamError("steady-state: need long_lo <= long_hi");
  if ((p.u("live_mb") << 20) < p.u("max")) throw ParamError("steady-state: live_mb must hold the largest request");
}

ALLOCSCOPE_WORKLOAD({
    .name = "steady-state",
    .category = "synthetic",
    .doc = "long-running service: bounded live set per thread (live_mb) whose size mix and long-lived share "
           "drift along a cycle of `period` allocations; RSS sampled every sample_ms, rss_creep_bytes_per_min = "
           "slope after warm-up (duration_s; hours when asked)",
    .params = {{"duration_s", ParamType::Double, "3", "length of the window in seconds (when ops=0)", 0.01, 1e6},
               {"ops", ParamType::Int, "0", "when > 0: stop after this many allocations per thread instead", 0, 1e12},
               {"live_mb", ParamType::Int, "32", "long-lived pool per thread, MiB", 1, 1 << 20},
               {"short_slots", ParamType::Int, "1024", "short-lived ring per thread, blocks", 1, 1e8},
               {"period", ParamType::Int, "4000000", "allocations per drift cycle, per thread", kPhases, 1e15},
               {"min", ParamType::Size, "16", "smallest request", 1, 1 << 30},
               {"max", ParamType::Size, "64K", "largest request", 1, 1 << 30},
               {"mean_lo", ParamType::Size, "48", "mean request at the low point of the cycle", 1, 1 << 30},
               {"mean_hi", ParamType::Size, "2K", "mean request at the high point of the cycle", 1, 1 << 30},
               {"long_lo", ParamType::Double, "0.1", "lowest share of long-lived blocks", 0, 1},
               {"long_hi", ParamType::Double, "0.6", "highest share of long-lived blocks", 0, 1},
               {"sample_ms", ParamType::Double, "100", "RSS sampling interval, ms", 1, 3.6e6},
               {"warmup", ParamType::Double, "0.25", "share of the window left out of the fit", 0, 0.95}},
    .multithreaded = true,
    .make = [] { return std::make_unique<SteadyState>(); },
    .validate = validate_steady_state,
});

}  // namespace
}  // namespace allocscope
