// phases: ramps, peaks and plateaus (Wilson et al. 1995). A program that
// moves through phases with different object sizes: a ramp of small objects
// building up, a plateau churning medium objects while the small ones die, a
// short peak of large objects, then a ramp down. Memory freed in one phase
// must serve the next phase's sizes. Reports frag_time_avg_ratio (time-
// averaged heap over time-averaged live, Johnstone-Wilson measure 1, sampled
// every `sample` ops) and rss_after_free_all_bytes.
#include "allocscope/alloc_ops.hpp"
#include "allocscope/size_dist.hpp"
#include "allocscope/sysmem.hpp"
#include "allocscope/workload.hpp"

namespace allocscope {
namespace {

struct PhaseStep {
  uint8_t kind;  // 0 = allocate into slot, 1 = free slot
  uint32_t slot, size;
};

class Phases : public Workload {
 public:
  void prepare(RunContext& ctx) override {
    const auto& p = ctx.params();
    const size_t n = p.u("objects");
    Rng rng(ctx.seed());
    slots_.assign(3 * n, Block{});
    // Slots [0,n) small, [n,2n) medium, [2n,3n) large.
    auto alloc = [&](size_t slot, uint64_t lo, uint64_t hi) {
      steps_.push_back({0, static_cast<uint32_t>(slot), static_cast<uint32_t>(rng.uniform(lo, hi))});
    };
    auto release = [&](size_t slot) { steps_.push_back({1, static_cast<uint32_t>(slot), 0}); };
    for (size_t i = 0; i < n; ++i) alloc(i, 16, 128);  // ramp up: small objects
    auto order = permutation(rng, n);
    for (size_t i = 0; i < n; ++i) {  // plateau: small die in random order, medium born
      release(order[i]);
      alloc(n + i, 256, 1024);
      if (i % 4 == 0) {  // churn inside the plateau
        const size_t k = n + rng.uniform(0, i);
        release(k);
        alloc(k, 256, 1024);
      }
    }
    for (size_t i = 0; i < n / 64; ++i) alloc(2 * n + i, 8192, 65536);  // peak of large objects
    for (size_t i = 0; i < n / 64; ++i) release(2 * n + i);
    auto order2 = permutation(rng, n);
    for (size_t i = 0; i < n; ++i) {  // ramp down with a second generation of small objects
      release(n + order2[i]);
      if (i % 2 == 0) alloc(i / 2, 16, 128);
    }
    for (size_t i = 0; i < n; i += 2) release(i / 2);
    base_rss_ = self_rss_bytes();
    samples_.reserve(steps_.size() / p.u("sample") + 2);
  }

  void run(RunContext& ctx) override {
    ThreadStats& st = ctx.stats(0);
    const uint64_t every = ctx.params().u("sample");
    for (size_t i = 0; i < steps_.size(); ++i) {
      const PhaseStep& s = steps_[i];
      Block& b = slots_[s.slot];
      if (s.kind == 0) {
        b = {a_malloc(st, s.size), s.size};
        touch(b.p, s.size, static_cast<unsigned char>(i));
      } else {
        free_block(st, b);
      }
      if (i % every == 0) {
        samples_.push_back({self_rss_bytes(), static_cast<uint64_t>(st.live())});
      }
    }
    double heap = 0, live = 0;
    for (const auto& [r, l] : samples_)
      heap += static_cast<double>(r - std::min(r, base_rss_)), live += static_cast<double>(l);
    if (live > 0) ctx.report("frag_time_avg_ratio", heap / live);
    ctx.report("rss_after_free_all_bytes", static_cast<double>(self_rss_bytes()));
  }

 private:
  std::vector<PhaseStep> steps_;
  std::vector<Block> slots_;
  std::vector<std::pair<uint64_t, uint64_t>> samples_;
  uint64_t base_rss_ = 0;
};

ALLOCSCOPE_WORKLOAD({
    .name = "phases",
    .category = "adversarial",
    .doc = "pathology: phase behaviour (Wilson 1995 ramps/peaks/plateaus); a ramp of small "
           "objects, a plateau of medium ones replacing them, a peak of large ones, a ramp down: "
           "freed memory must serve other sizes (frag_time_avg_ratio, rss_after_free_all_bytes)",
    .params = {{"objects", ParamType::Int, "100000", "objects per phase", 64, 1e8},
               {"sample", ParamType::Int, "2000", "steps between RSS/live samples", 1, 1e9}},
    .multithreaded = false,
    .make = [] { return std::make_unique<Phases>(); },
});

}  // namespace
}  // namespace allocscope
