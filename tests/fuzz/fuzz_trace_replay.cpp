// Fuzzes the replay workload ("trace", workloads/trace/replay.cpp) with trace
// files, replayed for real against the process's allocator (the sanitizer's,
// which checks every access: blocks written past their size, double or wild
// frees by the replayer). Traces the reader rejects are the reader target's
// business and skipped here, and so are traces a real allocator could not
// serve: more than 4096 events or 4 threads, requests over 1 MiB (64 MiB in
// all), alignments that are not powers of two up to 64 KiB, overflowing
// calloc sizes. Any other trace must replay to the end without an exception
// or a hang, every block freed (LeakSanitizer checks each input), no bytes
// left live, and every event replayed as one op or counted as skipped.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>

#include "allocscope/params.hpp"
#include "allocscope/workload.hpp"
#include "common/input_error.hpp"
#include "tests/fuzz/fuzz_file.hpp"
#include "trace/format/trace_io.hpp"

using allocscope::fuzz::broken;
namespace tf = allocscope::tracefmt;

// A replayed trace frees blocks the way the recorded program did; a trace of
// a program that freed with the wrong function (malloc then delete, sized
// delete of another size) is replayed as such: not the replayer's fault.
extern "C" const char* __asan_default_options() {
  return "alloc_dealloc_mismatch=0:new_delete_type_mismatch=0";
}

namespace {

constexpr uint64_t kMaxRequest = 1 << 20, kMaxTotal = 64 << 20, kMaxAlign = 64 << 10;
constexpr size_t kMaxEvents = 4096, kMaxThreads = 4;

bool power_of_two(uint64_t v) {
  return v && !(v & (v - 1));
}

// True when every request of the trace is one an allocator can serve here.
bool replayable(const allocscope::trace::Trace& t, uint64_t* lifetime_events) {
  if (t.events.size() > kMaxEvents || t.threads > 64 || t.header.page_size > kMaxAlign) return false;
  std::set<uint32_t> threads;
  uint64_t total = 0;
  for (const auto& e : t.events) {
    threads.insert(e.thread);
    if (e.op == tf::kThreadStart || e.op == tf::kThreadExit) ++*lifetime_events;
    if (!tf::op_allocates(e.op)) continue;
    const uint64_t bytes = e.requested();
    if ((e.op == tf::kCalloc || e.op == tf::kReallocarray) && bytes == 0 && e.nmemb && e.size) return false;
    if (bytes > kMaxRequest || (total += bytes) > kMaxTotal) return false;
    const bool aligned = e.op == tf::kMemalign || e.op == tf::kPosixMemalign || e.op == tf::kAlignedAlloc ||
                         ((e.op == tf::kNew || e.op == tf::kNewArray) && (e.flags & tf::kFlagAligned));
    if (aligned && (!power_of_two(e.align) || e.align > kMaxAlign)) return false;
    if (e.op == tf::kAlignedAlloc && e.size % e.align) return false;  // C11's rule, which ASan enforces
  }
  return threads.size() <= kMaxThreads;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 65536) return -1;
  uint64_t lifetime_events = 0;
  try {
    const allocscope::trace::Trace t = allocscope::trace::read_trace_buffer(data, size, "fuzz");
    if (!replayable(t, &lifetime_events)) return -1;
  } catch (const allocscope::InputError&) {
    return -1;
  }
  static const allocscope::WorkloadInfo* info = allocscope::WorkloadRegistry::instance().find("trace");
  if (!info) broken("the trace workload is not registered");
  const allocscope::fuzz::MemFile file(data, size);
  const auto params = allocscope::Params::resolve(info->name, info->params, {{"path", file.path()}});
  allocscope::RunContext ctx(*info, params, 1, 42, 0);
  auto w = info->make();
  w->prepare(ctx);
  w->run(ctx);
  w->finish(ctx);
  if (ctx.live_bytes() != 0) broken("bytes left live after finish()");
  const auto skipped = ctx.extra().find("trace_skipped_ops");
  if (skipped == ctx.extra().end()) broken("no trace_skipped_ops reported");
  const allocscope::trace::Trace t = allocscope::trace::read_trace_buffer(data, size, "fuzz");
  if (ctx.ops() + static_cast<uint64_t>(skipped->second) + lifetime_events != t.events.size())
    broken("events neither replayed nor counted as skipped");
  return 0;
}
