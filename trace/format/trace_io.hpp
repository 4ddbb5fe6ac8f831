// Reading, writing and summarising allocscope traces (docs/trace-format.md).
// Every reader error throws allocscope::InputError naming the file, the byte
// offset and the reason.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "trace/format/trace_format.hpp"

namespace allocscope::trace {

struct Header {
  uint32_t version = tracefmt::kVersion;
  uint32_t page_size = 4096;
  uint32_t flags = 0;
  uint64_t start_unix_ns = 0;
  uint32_t pid = 0;
  std::string program;
};

struct Event {
  uint64_t seq = 0;
  uint64_t ts = 0;
  uint64_t size = 0;
  uint64_t nmemb = 0;
  uint64_t align = 0;
  uint64_t old_ptr = 0;
  uint64_t ptr = 0;
  uint64_t os_tid = 0;
  uint32_t seq_gap = 0;
  uint32_t thread = 0;
  uint8_t op = 0;     // tracefmt::Op
  uint8_t flags = 0;  // tracefmt::kFlagNothrow | kFlagSized | kFlagAligned
  // Requested bytes of an allocation (size, or nmemb * size; 0 on overflow).
  uint64_t requested() const;
};

struct Trace {
  Header header;
  uint32_t threads = 0;
  uint64_t end_ts = 0;
  std::vector<Event> events;  // sorted by seq
};

// Reads a whole trace and sorts its events by global sequence number.
Trace read_trace_file(const std::string& path);
Trace read_trace_buffer(const uint8_t* data, size_t size, const std::string& name);
// Reads and checks only the file header (cheap; for parameter validation).
Header read_trace_header(const std::string& path);
// True when the file starts with the trace magic.
bool looks_like_trace(const std::string& path);

// Writes a trace: events are grouped into per-thread chunks, optionally
// zstd-compressed (level 0 = raw).
class Writer {
 public:
  Writer(const std::string& path, const Header& header, int zstd_level);
  ~Writer();
  void add(const Event& e);
  void finish(uint32_t threads, uint64_t end_ts);  // flushes and writes the end record

 private:
  struct Open {
    std::vector<uint8_t> buf;
    tracefmt::DeltaState st;
    tracefmt::ChunkHeader h;
  };
  void flush(uint32_t thread, Open& o);
  void write_bytes(const void* p, size_t n);
  std::string path_;
  int fd_ = -1;
  int level_ = 0;
  uint64_t total_ = 0;
  std::map<uint32_t, Open> open_;
};

// Reads glibc mtrace text (MALLOC_TRACE) into a single-threaded trace.
Trace read_mtrace(const std::string& path);

// What `allocscope trace info` prints, and what the replayer needs to know.
struct Summary {
  std::map<std::string, uint64_t> ops;       // every kind, zero included
  std::map<std::string, uint64_t> variants;  // e.g. "new:nothrow", "delete:sized"
  uint64_t events = 0;
  uint32_t threads = 0;
  uint64_t alloc_ops = 0, free_ops = 0;  // realloc counts once in alloc_ops
  uint64_t peak_live_bytes = 0, end_live_bytes = 0, total_requested_bytes = 0;
  uint64_t peak_seq = 0;  // sequence number at which the live peak is first reached
  uint64_t live_blocks_end = 0;
  uint64_t matched_frees = 0, cross_thread_frees = 0, unmatched_frees = 0, null_frees = 0;
  uint64_t failed_allocs = 0;
  double duration_s = 0;
  std::vector<std::pair<uint64_t, uint64_t>> size_histogram;  // (upper bound, count), powers of two
};
Summary summarize(const Trace& t);

}  // namespace allocscope::trace
