// The allocscope trace format (docs/trace-format.md): constants and the event
// encoder. Header-only and free of the C++ runtime (no allocation, no
// exceptions) so the recorder library can use it on its hot path.
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <string.h>

namespace allocscope::tracefmt {

inline constexpr char kMagic[8] = {'A', 'S', 'C', 'T', 'R', 'A', 'C', 'E'};
inline constexpr uint32_t kVersion = 1;
inline constexpr uint32_t kFileHeaderSize = 40;  // fixed part; the program name follows
inline constexpr uint32_t kMaxProgramLen = 4096;
inline constexpr uint32_t kChunkHeaderSize = 40;
inline constexpr uint32_t kMaxChunkRaw = 16u << 20;    // readers reject larger chunks
inline constexpr uint32_t kMaxEventSize = 1 + 10 * 7;  // op byte + up to 7 varints

// File header flags.
inline constexpr uint32_t kFlagZstd = 1;      // some chunks are zstd-compressed
inline constexpr uint32_t kFlagNoTiming = 2;  // timestamps are not meaningful (converted mtrace)

// Chunk types (first byte of a chunk header).
inline constexpr uint8_t kChunkRaw = 'C';
inline constexpr uint8_t kChunkZstd = 'Z';
inline constexpr uint8_t kChunkEnd = 'E';

// Operation kinds: the low 5 bits of an event's first byte.
enum Op : uint8_t {
  kMalloc = 1,
  kCalloc = 2,
  kRealloc = 3,
  kReallocarray = 4,
  kFree = 5,
  kMemalign = 6,
  kPosixMemalign = 7,
  kAlignedAlloc = 8,
  kValloc = 9,
  kPvalloc = 10,
  kNew = 11,
  kNewArray = 12,
  kDelete = 13,
  kDeleteArray = 14,
  kThreadStart = 30,
  kThreadExit = 31,
};
inline constexpr int kOpCount = 32;
// Flag bits (the high 3 bits of an event's first byte).
inline constexpr uint8_t kFlagNothrow = 0x20;
inline constexpr uint8_t kFlagSized = 0x40;    // sized delete: carries the size
inline constexpr uint8_t kFlagAligned = 0x80;  // aligned new/delete: carries the alignment

inline const char* op_name(int op) {
  switch (op) {
    case kMalloc:
      return "malloc";
    case kCalloc:
      return "calloc";
    case kRealloc:
      return "realloc";
    case kReallocarray:
      return "reallocarray";
    case kFree:
      return "free";
    case kMemalign:
      return "memalign";
    case kPosixMemalign:
      return "posix_memalign";
    case kAlignedAlloc:
      return "aligned_alloc";
    case kValloc:
      return "valloc";
    case kPvalloc:
      return "pvalloc";
    case kNew:
      return "new";
    case kNewArray:
      return "new[]";
    case kDelete:
      return "delete";
    case kDeleteArray:
      return "delete[]";
    case kThreadStart:
      return "thread_start";
    case kThreadExit:
      return "thread_exit";
    default:
      return nullptr;
  }
}
inline bool op_allocates(int op) {
  return (op >= kMalloc && op <= kReallocarray) || (op >= kMemalign && op <= kNewArray);
}
inline bool op_frees(int op) {
  return op == kFree || op == kDelete || op == kDeleteArray;
}
inline bool op_reallocs(int op) {
  return op == kRealloc || op == kReallocarray;
}

// What an event carries; unused fields are zero. Pointers are addresses in
// the recorded process (only their identity matters).
struct EventFields {
  uint8_t op = 0;        // Op | flags
  uint64_t seq = 0;      // global order (the recorded process's atomic counter)
  uint64_t ts = 0;       // ns since the start of recording
  uint64_t size = 0;     // requested bytes (per element for calloc/reallocarray)
  uint64_t nmemb = 0;    // calloc/reallocarray element count
  uint64_t align = 0;    // memalign family, aligned new/delete
  uint64_t old_ptr = 0;  // realloc/reallocarray input
  uint64_t ptr = 0;      // result (allocations) or the block freed
  uint64_t seq_gap = 0;  // realloc: seq minus the sequence number taken before the call
  uint64_t os_tid = 0;   // thread start
};

// Per-chunk delta state: sequence number, timestamp and last pointer.
struct DeltaState {
  uint64_t seq = 0, ts = 0, ptr = 0;
};

__attribute__((always_inline)) inline uint8_t* put_varint(uint8_t* out, uint64_t v) {
  while (v >= 0x80) {
    *out++ = static_cast<uint8_t>(v | 0x80);
    v >>= 7;
  }
  *out++ = static_cast<uint8_t>(v);
  return out;
}
inline uint64_t zigzag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t unzigzag(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

// A pointer: 0 for NULL, else zigzag(delta from the last non-NULL pointer) + 1.
__attribute__((always_inline)) inline uint8_t* put_ptr(uint8_t* out, DeltaState& st, uint64_t p) {
  if (p == 0) return put_varint(out, 0);
  out = put_varint(out, zigzag(static_cast<int64_t>(p - st.ptr)) + 1);
  st.ptr = p;
  return out;
}

// Which fields follow the op byte, in order.
enum Field : uint8_t { fSize, fNmemb, fAlign, fOld, fPtr, fSeqGap, fTid };
struct Layout {
  uint8_t n;
  Field f[6];
};
inline Layout layout(uint8_t opbyte) {
  const uint8_t op = opbyte & 0x1f;
  const bool aligned = opbyte & kFlagAligned, sized = opbyte & kFlagSized;
  switch (op) {
    case kMalloc:
    case kValloc:
    case kPvalloc:
    case kNew:
    case kNewArray:
      return aligned ? Layout{3, {fSize, fAlign, fPtr}} : Layout{2, {fSize, fPtr}};
    case kCalloc:
      return Layout{3, {fNmemb, fSize, fPtr}};
    case kRealloc:
      return Layout{4, {fSize, fOld, fPtr, fSeqGap}};
    case kReallocarray:
      return Layout{5, {fNmemb, fSize, fOld, fPtr, fSeqGap}};
    case kFree:
      return Layout{1, {fPtr}};
    case kMemalign:
    case kPosixMemalign:
    case kAlignedAlloc:
      return Layout{3, {fAlign, fSize, fPtr}};
    case kDelete:
    case kDeleteArray:
      if (sized && aligned) return Layout{3, {fPtr, fSize, fAlign}};
      if (sized) return Layout{2, {fPtr, fSize}};
      if (aligned) return Layout{2, {fPtr, fAlign}};
      return Layout{1, {fPtr}};
    case kThreadStart:
      return Layout{1, {fTid}};
    case kThreadExit:
      return Layout{0, {}};
    default:
      return Layout{255, {}};  // unknown op
  }
}

// Encodes one event (at most kMaxEventSize bytes) and advances the state.
// Within a chunk, sequence numbers strictly increase. The field order is the
// one layout() gives (the reader's view); written out per kind for speed.
__attribute__((always_inline)) inline uint8_t* encode_event(uint8_t* out, DeltaState& st, const EventFields& e) {
  *out++ = e.op;
  out = put_varint(out, e.seq - st.seq);
  out = put_varint(out, zigzag(static_cast<int64_t>(e.ts - st.ts)));
  st.seq = e.seq;
  st.ts = e.ts;
  const uint8_t op = e.op & 0x1f;
  const bool aligned = e.op & kFlagAligned, sized = e.op & kFlagSized;
  switch (op) {
    case kMalloc:
    case kValloc:
    case kPvalloc:
    case kNew:
    case kNewArray:
      out = put_varint(out, e.size);
      if (aligned) out = put_varint(out, e.align);
      return put_ptr(out, st, e.ptr);
    case kCalloc:
      out = put_varint(out, e.nmemb);
      out = put_varint(out, e.size);
      return put_ptr(out, st, e.ptr);
    case kReallocarray:
      out = put_varint(out, e.nmemb);
      [[fallthrough]];
    case kRealloc:
      out = put_varint(out, e.size);
      out = put_ptr(out, st, e.old_ptr);
      out = put_ptr(out, st, e.ptr);
      return put_varint(out, e.seq_gap);
    case kFree:
      return put_ptr(out, st, e.ptr);
    case kMemalign:
    case kPosixMemalign:
    case kAlignedAlloc:
      out = put_varint(out, e.align);
      out = put_varint(out, e.size);
      return put_ptr(out, st, e.ptr);
    case kDelete:
    case kDeleteArray:
      out = put_ptr(out, st, e.ptr);
      if (sized) out = put_varint(out, e.size);
      if (aligned) out = put_varint(out, e.align);
      return out;
    case kThreadStart:
      return put_varint(out, e.os_tid);
    default:
      return out;  // kThreadExit
  }
}

inline void put_u32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
inline void put_u64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
inline uint32_t get_u32(const uint8_t* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}
inline uint64_t get_u64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

// Chunk header: type, 3 zero bytes, thread, count, raw_len, stored_len,
// reserved (0), base_seq, base_ts. For the end record: thread = number of
// threads, count = 0, base_seq = total events in the file, base_ts = end time.
struct ChunkHeader {
  uint8_t type = 0;
  uint32_t thread = 0, count = 0, raw_len = 0, stored_len = 0;
  uint64_t base_seq = 0, base_ts = 0;
};
inline void put_chunk_header(uint8_t* p, const ChunkHeader& h) {
  p[0] = h.type;
  p[1] = p[2] = p[3] = 0;
  put_u32(p + 4, h.thread);
  put_u32(p + 8, h.count);
  put_u32(p + 12, h.raw_len);
  put_u32(p + 16, h.stored_len);
  put_u32(p + 20, 0);
  put_u64(p + 24, h.base_seq);
  put_u64(p + 32, h.base_ts);
}

// Fixed file header: magic, version, header size, page size, flags, start
// time (unix ns), pid, program name length; the name follows.
inline uint32_t put_file_header(uint8_t* p, uint32_t page_size, uint32_t flags, uint64_t start_unix_ns, uint32_t pid,
                                const char* program, uint32_t program_len) {
  if (program_len > kMaxProgramLen) program_len = kMaxProgramLen;
  memcpy(p, kMagic, 8);
  put_u32(p + 8, kVersion);
  put_u32(p + 12, kFileHeaderSize + program_len);
  put_u32(p + 16, page_size);
  put_u32(p + 20, flags);
  put_u64(p + 24, start_unix_ns);
  put_u32(p + 32, pid);
  put_u32(p + 36, program_len);
  memcpy(p + kFileHeaderSize, program, program_len);
  return kFileHeaderSize + program_len;
}

}  // namespace allocscope::tracefmt
