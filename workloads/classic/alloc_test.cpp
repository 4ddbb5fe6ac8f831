// alloc-test-like: in the manner of OLogN's alloc-test. Each thread takes
// random steps over a slot array: an empty slot gets a new block, a full one
// is freed, so the live set drifts around half the slots; sizes up to 1 KiB,
// skewed towards small.
#include <algorithm>

#include "allocscope/alloc_ops.hpp"
#include "allocscope/slot_stream.hpp"
#include "allocscope/workload.hpp"

namespace allocscope {
namespace {

class AllocTest : public Workload {
 public:
  void prepare(RunContext& ctx) override {
    const auto& p = ctx.params();
    per_thread_ = p.u("steps") / static_cast<uint64_t>(ctx.threads());
    stream_len_ = std::max<uint64_t>(1, std::min(per_thread_, p.u("stream")));
    state_ = draw_slot_streams(ctx, p.u("slots"), stream_len_, "skewed", p.u("min"), p.u("max"));
  }

  void run(RunContext& ctx) override {
    ctx.parallel([&](int t) {
      ThreadStats& st = ctx.stats(t);
      SlotStream& s = state_[static_cast<size_t>(t)];
      for (uint64_t n = 0, i = 0; n < per_thread_; ++n, ++i) {
        if (i == stream_len_) i = 0;  // cycle over the drawn stream
        Block& b = s.ws[s.slot[i]];
        if (b.p) {
          free_block(st, b);
        } else {
          alloc_block(st, b, s.size[i], static_cast<unsigned char>(i));
        }
      }
    });
  }

  void finish(RunContext& ctx) override { free_slot_streams(ctx, state_); }

 private:
  uint64_t per_thread_ = 0, stream_len_ = 1;
  std::vector<SlotStream> state_;
};

ALLOCSCOPE_WORKLOAD({
    .name = "alloc-test",
    .category = "classic",
    .doc = "alloc-test-like (OLogN): random steps over a slot array, allocating into empty "
           "slots and freeing full ones; sizes <= 1 KiB skewed small; one op per step",
    .params = {{"steps", ParamType::Int, "20000000", "steps in total, split over threads", 1, 1e10},
               {"stream", ParamType::Int, "1048576", "steps drawn per thread; longer runs cycle over them", 1, 1e9},
               {"slots", ParamType::Int, "16384", "slots per thread", 1, 1e8},
               {"min", ParamType::Size, "8", "smallest request", 1, 1 << 30},
               {"max", ParamType::Size, "1024", "largest request", 1, 1 << 30}},
    .multithreaded = true,
    .make = [] { return std::make_unique<AllocTest>(); },
    .validate = validate_min_max,
    .scale = "steps",
});

}  // namespace
}  // namespace allocscope
