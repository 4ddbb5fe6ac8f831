// libFuzzer target: glibc mtrace text import (`allocscope trace convert`).
// Any input is imported or rejected with an InputError naming the file
// ("FILE:LINE: reason" or "FILE: reason"); nothing else may escape. An
// imported trace is one thread of malloc, free and realloc events numbered
// 1, 2, ... in file order; it is summarised and must survive a write and
// read in the trace format (round_trip.hpp).
#include <cstddef>
#include <cstdint>
#include <string>

#include "common/input_error.hpp"
#include "trace/format/trace_io.hpp"
#include "trace/fuzz/round_trip.hpp"

using allocscope::fuzz::broken;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 16384) return -1;
  const allocscope::fuzz::MemFile file(data, size);
  allocscope::trace::Trace t;
  try {
    t = allocscope::trace::read_mtrace(file.path());
  } catch (const allocscope::InputError& e) {
    if (!allocscope::fuzz::starts_with(e.what(), file.path() + ":")) broken("an error that does not name the file");
    return 0;
  }
  if (t.threads != 1 || !(t.header.flags & allocscope::tracefmt::kFlagNoTiming)) broken("not a one-thread trace");
  for (size_t i = 0; i < t.events.size(); ++i) {
    const auto& e = t.events[i];
    using namespace allocscope::tracefmt;
    if (e.seq != i + 1 || e.thread != 0) broken("events not numbered in file order on thread 0");
    if (e.op != kMalloc && e.op != kFree && e.op != kRealloc) broken("an event of another kind");
  }
  const allocscope::trace::Summary s = allocscope::trace::summarize(t);
  if (s.events != t.events.size() || s.alloc_ops + s.free_ops != s.events) broken("the summary counts other events");
  allocscope::fuzz::check_round_trip(t);
  return 0;
}
