// glibc-thread: the shape of glibc's bench-malloc-thread. Per thread a
// 1024-slot working set; each step frees a random slot and refills it with a
// block of 4-32768 B drawn with density ~ 1/size^2. Fixed op count by
// default, or a fixed time (seconds > 0) like the original.
#include <algorithm>

#include "allocscope/alloc_ops.hpp"
#include "allocscope/slot_stream.hpp"
#include "allocscope/workload.hpp"

namespace allocscope {
namespace {

class GlibcThread : public Workload {
 public:
  void prepare(RunContext& ctx) override {
    const auto& p = ctx.params();
    per_thread_ = p.u("ops") / static_cast<uint64_t>(ctx.threads());
    stream_len_ = std::max<uint64_t>(1, std::min(per_thread_, p.u("stream")));
    seconds_ = p.d("seconds");
    state_ = draw_slot_streams(ctx, p.u("slots"), stream_len_, "inverse-square", p.u("min"), p.u("max"));
  }

  void run(RunContext& ctx) override {
    ctx.parallel([&](int t) {
      ThreadStats& st = ctx.stats(t);
      SlotStream& s = state_[static_cast<size_t>(t)];
      const auto deadline = ThreadStats::now() + std::chrono::duration<double>(seconds_);
      for (uint64_t n = 0, i = 0;; ++n, ++i) {
        if (n == per_thread_ && seconds_ <= 0) break;
        if (i == stream_len_) i = 0;  // cycle over the drawn stream
        if (seconds_ > 0 && (n & 1023) == 0 && ThreadStats::now() >= deadline) break;
        Block& b = s.ws[s.slot[i]];
        free_block(st, b);
        alloc_block(st, b, s.size[i], static_cast<unsigned char>(i));
      }
    });
  }

  void finish(RunContext& ctx) override { free_slot_streams(ctx, state_); }

 private:
  uint64_t per_thread_ = 0, stream_len_ = 1;
  double seconds_ = 0;
  std::vector<SlotStream> state_;
};

ALLOCSCOPE_WORKLOAD({
    .name = "glibc-thread",
    .category = "classic",
    .doc = "glibc bench-malloc-thread shape: per thread 1024 slots, random free-then-replace "
           "with 4-32768 B sizes of density ~1/size^2; fixed ops, or seconds>0 for fixed time",
    .params = {{"ops", ParamType::Int, "16000000", "replacements in total, split over threads", 1, 1e10},
               {"seconds", ParamType::Double, "0", "if > 0: run this long, cycling over the stream", 0, 3600},
               {"stream", ParamType::Int, "1048576", "steps drawn per thread; longer runs cycle over them", 1, 1e9},
               {"slots", ParamType::Int, "1024", "working-set slots per thread", 1, 1e8},
               {"min", ParamType::Size, "4", "smallest request", 1, 1 << 30},
               {"max", ParamType::Size, "32768", "largest request", 1, 1 << 30}},
    .multithreaded = true,
    .make = [] { return std::make_unique<GlibcThread>(); },
    .validate = validate_min_max,
    .scale = "ops",
});

}  // namespace
}  // namespace allocscope
