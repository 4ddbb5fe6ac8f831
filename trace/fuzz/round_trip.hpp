// The property both trace fuzz targets check on a trace they read: written
// by trace::Writer (raw, and zstd when built with it) and read back, it
// gives the same header fields, thread count, end time and events.
#pragma once

#include <cstdlib>
#include <string>

#include "tests/fuzz/fuzz_file.hpp"
#include "trace/format/trace_io.hpp"

namespace allocscope::fuzz {

inline bool same_event(const trace::Event& a, const trace::Event& b) {
  return a.seq == b.seq && a.ts == b.ts && a.size == b.size && a.nmemb == b.nmemb && a.align == b.align &&
         a.old_ptr == b.old_ptr && a.ptr == b.ptr && a.os_tid == b.os_tid && a.seq_gap == b.seq_gap &&
         a.thread == b.thread && a.op == b.op && a.flags == b.flags;
}

inline void check_round_trip(const trace::Trace& t, int zstd_level) {
  const MemFile file("", 0);
  {
    trace::Writer w(file.path(), t.header, zstd_level);
    for (const trace::Event& e : t.events) w.add(e);
    w.finish(t.threads, t.end_ts);
  }
  trace::Trace back;
  try {
    back = trace::read_trace_file(file.path());
  } catch (const InputError&) {
    broken("a trace written by trace::Writer is rejected");
  }
  if (back.header.page_size != t.header.page_size || back.header.pid != t.header.pid ||
      back.header.start_unix_ns != t.header.start_unix_ns || back.header.program != t.header.program ||
      (back.header.flags & ~tracefmt::kFlagZstd) != (t.header.flags & ~tracefmt::kFlagZstd))
    broken("the trace header changes on a write and read");
  if (back.threads != t.threads || back.end_ts != t.end_ts || back.events.size() != t.events.size())
    broken("the trace changes on a write and read");
  for (size_t i = 0; i < t.events.size(); ++i)
    if (!same_event(back.events[i], t.events[i])) broken("an event changes on a write and read");
}

inline void check_round_trip(const trace::Trace& t) {
  check_round_trip(t, 0);
#ifdef ALLOCSCOPE_HAVE_ZSTD
  check_round_trip(t, 1);
#endif
}

}  // namespace allocscope::fuzz
