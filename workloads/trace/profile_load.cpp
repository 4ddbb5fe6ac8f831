// profile-load: a load generated from an allocation profile, the size and
// lifetime distributions of a recorded trace (trace=PATH) or of a built-in
// profile (profile=NAME), at any scale and thread count. Each thread runs its
// own generator: allocation i draws a size and a lifetime L (in allocations)
// and the block is freed right after allocation i + L; blocks the source
// never freed live to the end of the window. Everything is drawn in
// prepare() from the seed; run() replays the drawn stream (malloc + write,
// free). Sizes and lifetimes are drawn independently (their correlation in
// the source is not kept); realloc in the source counts as free + malloc.
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <queue>

#include "allocscope/alloc_ops.hpp"
#include "allocscope/rng.hpp"
#include "allocscope/workload.hpp"
#include "workloads/trace/profile.hpp"

#ifndef ALLOCSCOPE_SOURCE_DIR
#define ALLOCSCOPE_SOURCE_DIR "."
#endif

namespace allocscope {
namespace {

constexpr uint32_t kFreeOp = UINT32_MAX;  // LoadOp::size of a free
constexpr uint64_t kMaxSize = UINT32_MAX - 1;

struct LoadOp {
  uint32_t slot;
  uint32_t size;  // bytes to allocate into the slot, or kFreeOp: free it
};

// One generator's drawn stream and the slots it works on, on cache lines of
// its own.
struct alignas(64) Stream {
  std::vector<LoadOp> ops;
  std::vector<Block> slots;
  size_t peak_op = SIZE_MAX;  // the op after which the stream's live peak is first reached
  uint64_t peak_bytes = 0;
};

// Draws `n` allocations and the frees their lifetimes (times `life_scale`)
// put inside the stream. Slots are reused last-freed first, so the slot table
// is as large as the live peak in blocks.
Stream generate(const profile::Sampler& s, uint64_t n, double life_scale, uint64_t seed) {
  using Due = std::pair<uint64_t, uint32_t>;  // (allocation index after which to free, slot)
  std::priority_queue<Due, std::vector<Due>, std::greater<Due>> due;
  std::vector<uint32_t> spare, slot_size;
  Rng rng(seed);
  Stream st;
  st.ops.reserve(static_cast<size_t>(n) * 2);
  uint64_t live = 0;
  for (uint64_t i = 0; i < n; ++i) {
    // malloc(0) may return NULL, which would read as out of memory: 1 byte instead.
    const uint32_t size = static_cast<uint32_t>(std::clamp<uint64_t>(s.size(rng), 1, kMaxSize));
    const uint64_t life = s.lifetime(rng);
    uint32_t slot = static_cast<uint32_t>(slot_size.size());
    if (spare.empty()) {
      slot_size.push_back(0);
    } else {
      slot = spare.back();
      spare.pop_back();
    }
    slot_size[slot] = size;
    st.ops.push_back({slot, size});
    live += size;
    if (live > st.peak_bytes) st.peak_bytes = live, st.peak_op = st.ops.size() - 1;
    if (life != profile::Sampler::kForever) {
      const uint64_t at = i + static_cast<uint64_t>(std::llround(static_cast<double>(life) * life_scale));
      if (at < n) due.push({at, slot});  // later: lives to the end of the window
    }
    while (!due.empty() && due.top().first <= i) {
      const uint32_t f = due.top().second;
      due.pop();
      st.ops.push_back({f, kFreeOp});
      live -= slot_size[f];
      spare.push_back(f);
    }
  }
  st.slots.assign(slot_size.size(), Block{});
  return st;
}

profile::Profile load_profile(const Params& p) {
  if (!p.s("trace").empty())
    return profile::profile_from_file(profile::resolve_trace_path(p.s("trace"), ALLOCSCOPE_SOURCE_DIR, "profile-load"),
                                      "profile-load");
  const profile::Profile* b = profile::builtin(p.s("profile"));
  if (!b)
    throw ParamError(fmt::format("profile-load: no built-in profile '{}' (built in: {})", p.s("profile"),
                                 fmt::join(profile::builtin_names(), ", ")));
  return *b;
}

void validate_profile_load(const Params& p) {
  if (p.s("trace").empty()) {
    load_profile(p);
    return;
  }
  const std::string path = profile::resolve_trace_path(p.s("trace"), ALLOCSCOPE_SOURCE_DIR, "profile-load");
  try {
    trace::read_trace_header(path);
  } catch (const std::exception& e) {
    throw ParamError(fmt::format("profile-load: {}", e.what()));
  }
}

// The decoded trace is far larger than the load: reset the peak-RSS mark
// (VmHWM) so that peak_rss_bytes measures the load, not the reading.
void reset_peak_rss() {
  int fd = ::open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
  if (fd < 0) return;
  ssize_t ignored = ::write(fd, "5", 1);
  (void)ignored;
  ::close(fd);
}

class ProfileLoad : public Workload {
 public:
  void prepare(RunContext& ctx) override {
    const Params& p = ctx.params();
    const profile::Profile prof = load_profile(p);
    const profile::Sampler sampler(prof);
    const double scale = p.d("scale");
    const uint64_t n = std::max<uint64_t>(1, std::llround(static_cast<double>(prof.allocs) * scale));
    const double life_scale = p.b("scale_lifetimes") ? scale : 1.0;
    touch_ = p.b("touch");
    uint64_t planned = 0;
    for (int t = 0; t < ctx.threads(); ++t) {
      streams_.push_back(generate(sampler, n, life_scale, thread_seed(ctx.seed(), t)));
      planned += streams_.back().peak_bytes;
    }
    ctx.report("profile_planned_peak_bytes", static_cast<double>(planned));
    if (!p.s("trace").empty()) reset_peak_rss();
  }

  void run(RunContext& ctx) override {
    const bool mark = ctx.threads() == 1;
    ctx.parallel([&](int t) {
      Stream& s = streams_[static_cast<size_t>(t)];
      ThreadStats& st = ctx.stats(t);
      for (size_t k = 0; k < s.ops.size(); ++k) {
        const LoadOp op = s.ops[k];
        Block& b = s.slots[op.slot];
        if (op.size == kFreeOp) {
          free_block(st, b);
        } else {
          b = {a_malloc(st, op.size), op.size};
          if (touch_) touch(b.p, op.size, static_cast<unsigned char>(k));
        }
        if (mark && k == s.peak_op) ctx.mark_peak();
      }
    });
  }

  void finish(RunContext& ctx) override {
    for (size_t t = 0; t < streams_.size(); ++t) free_blocks(ctx.stats(static_cast<int>(t)), streams_[t].slots);
  }

 private:
  std::vector<Stream> streams_;
  bool touch_ = true;
};

ALLOCSCOPE_WORKLOAD({
    .name = "profile-load",
    .category = "trace",
    .doc = "a load drawn from a trace's size and lifetime (in allocations) distributions, or a built-in "
           "profile; scale=N draws N times the source's allocations with lifetimes stretched N times, so a "
           "small trace stands in for a service N times larger (N x ops, N x live set); threads run "
           "independent generators",
    .params = {{"trace", ParamType::String, "", "trace file to take the profile from (replaces profile=)"},
               {"profile", ParamType::String, "python", "built-in profile when no trace is given"},
               {"scale", ParamType::Double, "1", "allocations per thread = the source's allocations x scale", 1e-4,
                1e6},
               {"scale_lifetimes", ParamType::Bool, "1",
                "stretch lifetimes by scale too (live set grows with scale); 0: as recorded"},
               {"touch", ParamType::Bool, "1", "write to allocated memory"}},
    .multithreaded = true,
    .make = [] { return std::make_unique<ProfileLoad>(); },
    .validate = validate_profile_load,
});

}  // namespace
}  // namespace allocscope
