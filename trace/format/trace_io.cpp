#include "trace/format/trace_io.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <unordered_map>

#ifdef ALLOCSCOPE_HAVE_ZSTD
#include <zstd.h>
#endif

#include "common/input_error.hpp"

namespace allocscope::trace {

using namespace tracefmt;

uint64_t Event::requested() const {
  if (op == kCalloc || op == kReallocarray) {
    uint64_t r = 0;
    if (__builtin_mul_overflow(nmemb, size, &r)) return 0;
    return r;
  }
  return size;
}

namespace {

std::vector<uint8_t> slurp(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw InputError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  std::vector<uint8_t> data;
  struct stat sb {};
  if (::fstat(fd, &sb) == 0 && sb.st_size > 0) data.reserve(static_cast<size_t>(sb.st_size));
  uint8_t tmp[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, tmp, sizeof tmp);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      ::close(fd);
      throw InputError(fmt::format("{}: read error: {}", path, std::strerror(e)));
    }
    if (n == 0) break;
    data.insert(data.end(), tmp, tmp + n);
  }
  ::close(fd);
  return data;
}

class Parser {
 public:
  Parser(const uint8_t* d, size_t n, std::string name) : d_(d), n_(n), name_(std::move(name)) {}

  [[noreturn]] void fail(size_t off, const std::string& why) const {
    throw InputError(fmt::format("{}: offset {}: {}", name_, off, why));
  }

  Header header() {
    if (n_ < kFileHeaderSize) fail(n_, fmt::format("truncated file header ({} of {} bytes)", n_, kFileHeaderSize));
    if (std::memcmp(d_, kMagic, 8) != 0) fail(0, "not an allocscope trace (bad magic)");
    Header h;
    h.version = get_u32(d_ + 8);
    if (h.version != kVersion)
      fail(8, fmt::format("unsupported trace version {} (this build reads version {})", h.version, kVersion));
    const uint32_t hsize = get_u32(d_ + 12);
    h.page_size = get_u32(d_ + 16);
    h.flags = get_u32(d_ + 20);
    h.start_unix_ns = get_u64(d_ + 24);
    h.pid = get_u32(d_ + 32);
    const uint32_t plen = get_u32(d_ + 36);
    // Linux pages are 4 KiB at least on every architecture; the replay
    // aligns valloc and pvalloc requests to this size.
    if (h.page_size < 4096 || (h.page_size & (h.page_size - 1)) != 0 || h.page_size > (1u << 30))
      fail(16, fmt::format("bad page size {} (a power of two from 4096 to 2^30)", h.page_size));
    if ((h.flags & ~(kFlagZstd | kFlagNoTiming)) != 0) fail(20, fmt::format("unknown header flags {:#x}", h.flags));
    if (plen > kMaxProgramLen) fail(36, fmt::format("program name length {} exceeds {}", plen, kMaxProgramLen));
    if (hsize != kFileHeaderSize + plen)
      fail(12, fmt::format("header size {} does not match {} + program length {}", hsize, kFileHeaderSize, plen));
    if (n_ < hsize) fail(n_, fmt::format("truncated file header ({} of {} bytes)", n_, hsize));
    h.program.assign(reinterpret_cast<const char*>(d_ + kFileHeaderSize), plen);
    pos_ = hsize;
    return h;
  }

  Trace all() {
    Trace t;
    t.header = header();
    bool ended = false;
    size_t last_chunk = pos_;
    std::vector<uint8_t> raw;
    std::vector<std::pair<uint64_t, size_t>> chunk_of;  // (first event index, chunk offset)
    while (pos_ < n_) {
      const size_t at = pos_;
      last_chunk = at;
      if (n_ - pos_ < kChunkHeaderSize)
        fail(at, fmt::format("truncated chunk header ({} of {} bytes)", n_ - pos_, kChunkHeaderSize));
      const uint8_t* p = d_ + pos_;
      ChunkHeader h;
      h.type = p[0];
      h.thread = get_u32(p + 4);
      h.count = get_u32(p + 8);
      h.raw_len = get_u32(p + 12);
      h.stored_len = get_u32(p + 16);
      h.base_seq = get_u64(p + 24);
      h.base_ts = get_u64(p + 32);
      if (p[1] || p[2] || p[3] || get_u32(p + 20)) fail(at + 1, "reserved chunk header bytes are not zero");
      pos_ += kChunkHeaderSize;
      if (h.type == kChunkEnd) {
        if (h.count != 0 || h.raw_len != 0 || h.stored_len != 0) fail(at + 8, "end record with a payload");
        if (h.base_seq != t.events.size())
          fail(at + 24, fmt::format("end record counts {} events, the file holds {}", h.base_seq, t.events.size()));
        if (h.thread > (1u << 24)) fail(at + 4, fmt::format("implausible thread count {}", h.thread));
        t.threads = h.thread;
        t.end_ts = h.base_ts;
        ended = true;
        continue;
      }
      ended = false;
      if (h.type != kChunkRaw && h.type != kChunkZstd)
        fail(at, fmt::format("unknown chunk type {:#04x}", static_cast<unsigned>(h.type)));
      if (h.raw_len > kMaxChunkRaw) fail(at + 12, fmt::format("chunk size {} exceeds {}", h.raw_len, kMaxChunkRaw));
      if (h.count == 0 || h.count > h.raw_len)
        fail(at + 8, fmt::format("bad event count {} for {} bytes", h.count, h.raw_len));
      if (h.type == kChunkRaw && h.stored_len != h.raw_len)
        fail(at + 16, fmt::format("raw chunk stored length {} differs from its length {}", h.stored_len, h.raw_len));
      if (h.stored_len > n_ - pos_)
        fail(n_, fmt::format("truncated chunk at offset {}: {} payload bytes announced, {} present", at, h.stored_len,
                             n_ - pos_));
      const uint8_t* payload = d_ + pos_;
      size_t payload_off = pos_;
      bool compressed = false;
      if (h.type == kChunkZstd) {
#ifdef ALLOCSCOPE_HAVE_ZSTD
        unsigned long long fsize = ZSTD_getFrameContentSize(payload, h.stored_len);
        if (fsize != h.raw_len)
          fail(pos_, fmt::format("zstd frame content size does not match the chunk length {}", h.raw_len));
        raw.resize(h.raw_len);
        size_t got = ZSTD_decompress(raw.data(), raw.size(), payload, h.stored_len);
        if (ZSTD_isError(got) || got != h.raw_len)
          fail(pos_, fmt::format("corrupt zstd chunk: {}", ZSTD_isError(got) ? ZSTD_getErrorName(got) : "short"));
        payload = raw.data();
        compressed = true;
#else
        fail(at, "zstd-compressed chunk, but this build has no libzstd");
#endif
      }
      chunk_of.emplace_back(t.events.size(), at);
      decode_chunk(t, h, payload, compressed ? at : payload_off, compressed);
      pos_ += h.stored_len;
    }
    if (!ended)
      fail(n_, fmt::format("truncated: no end record after the chunk at offset {} (was the recording cut short?)",
                           last_chunk));
    for (const auto& e : t.events)
      if (e.thread >= t.threads)
        fail(last_chunk, fmt::format("event of thread {} but the end record counts {} threads", e.thread, t.threads));
    // Chunk offsets for messages about individual events.
    std::vector<size_t> offset_of(t.events.size());
    for (size_t c = 0; c < chunk_of.size(); ++c) {
      size_t end = c + 1 < chunk_of.size() ? chunk_of[c + 1].first : t.events.size();
      for (size_t i = chunk_of[c].first; i < end; ++i) offset_of[i] = chunk_of[c].second;
    }
    std::vector<uint32_t> order(t.events.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<uint32_t>(i);
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return t.events[a].seq < t.events[b].seq; });
    std::vector<Event> sorted;
    sorted.reserve(order.size());
    for (size_t i = 0; i < order.size(); ++i) {
      if (i > 0 && t.events[order[i]].seq == t.events[order[i - 1]].seq)
        fail(offset_of[order[i]], fmt::format("duplicate sequence number {}", t.events[order[i]].seq));
      sorted.push_back(t.events[order[i]]);
    }
    t.events = std::move(sorted);
    return t;
  }

 private:
  void decode_chunk(Trace& t, const ChunkHeader& h, const uint8_t* p, size_t base_off, bool compressed) {
    size_t i = 0;
    const size_t n = h.raw_len;
    auto where = [&](size_t k) { return base_off + (compressed ? 0 : k); };
    auto why = [&](size_t k, const std::string& s) {
      return compressed ? fmt::format("{} (byte {} of the decompressed chunk)", s, k) : s;
    };
    auto varint = [&]() -> uint64_t {
      uint64_t v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (i >= n) fail(where(i), why(i, "event runs past the end of its chunk"));
        uint8_t b = p[i++];
        if (shift == 63 && b > 1) fail(where(i - 1), why(i - 1, "varint overflows 64 bits"));
        v |= static_cast<uint64_t>(b & 0x7f) << shift;
        if (!(b & 0x80)) return v;
      }
      fail(where(i), why(i, "varint longer than 10 bytes"));
    };
    DeltaState st{h.base_seq, h.base_ts, 0};
    auto ptr = [&]() -> uint64_t {
      uint64_t v = varint();
      if (v == 0) return 0;
      st.ptr += static_cast<uint64_t>(unzigzag(v - 1));
      return st.ptr;
    };
    for (uint32_t k = 0; k < h.count; ++k) {
      const size_t ev_at = i;
      if (i >= n) fail(where(i), why(i, fmt::format("chunk holds {} of {} events", k, h.count)));
      const uint8_t opbyte = p[i++];
      Event e;
      e.op = opbyte & 0x1f;
      e.flags = opbyte & 0xe0;
      e.thread = h.thread;
      const Layout l = layout(opbyte);
      if (l.n == 255) fail(where(ev_at), why(ev_at, fmt::format("unknown operation {}", static_cast<unsigned>(e.op))));
      const bool cxx = e.op == kNew || e.op == kNewArray || e.op == kDelete || e.op == kDeleteArray;
      if (e.flags && !cxx) fail(where(ev_at), why(ev_at, fmt::format("flag bits {:#x} on {}", e.flags, op_name(e.op))));
      if ((e.flags & kFlagSized) && (e.op == kNew || e.op == kNewArray))
        fail(where(ev_at), why(ev_at, "sized flag on operator new"));
      if ((e.flags & kFlagNothrow) && (e.op == kDelete || e.op == kDeleteArray) && (e.flags & kFlagSized))
        fail(where(ev_at), why(ev_at, "nothrow sized delete"));
      const uint64_t dseq = varint();
      if (k > 0 && dseq == 0) fail(where(ev_at), why(ev_at, "sequence number does not increase"));
      if (dseq > ~st.seq) fail(where(ev_at), why(ev_at, "sequence number overflows"));
      st.seq += dseq;
      st.ts += static_cast<uint64_t>(unzigzag(varint()));
      e.seq = st.seq;
      e.ts = st.ts;
      for (uint8_t f = 0; f < l.n; ++f) {
        switch (l.f[f]) {
          case fSize:
            e.size = varint();
            break;
          case fNmemb:
            e.nmemb = varint();
            break;
          case fAlign:
            e.align = varint();
            break;
          case fOld:
            e.old_ptr = ptr();
            break;
          case fPtr:
            e.ptr = ptr();
            break;
          case fSeqGap: {
            uint64_t g = varint();
            if (g > e.seq || g > 0xffffffffu) fail(where(ev_at), why(ev_at, "realloc sequence gap out of range"));
            e.seq_gap = static_cast<uint32_t>(g);
            break;
          }
          case fTid:
            e.os_tid = varint();
            break;
        }
      }
      t.events.push_back(e);
    }
    if (i != n) fail(where(i), why(i, fmt::format("{} stray bytes after the chunk's {} events", n - i, h.count)));
  }

  const uint8_t* d_;
  size_t n_;
  std::string name_;
  size_t pos_ = 0;
};

}  // namespace

Trace read_trace_buffer(const uint8_t* data, size_t size, const std::string& name) {
  return Parser(data, size, name).all();
}

Trace read_trace_file(const std::string& path) {
  std::vector<uint8_t> d = slurp(path);
  return read_trace_buffer(d.data(), d.size(), path);
}

Header read_trace_header(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw InputError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  std::vector<uint8_t> buf(kFileHeaderSize + kMaxProgramLen);
  ssize_t n = ::pread(fd, buf.data(), buf.size(), 0);
  ::close(fd);
  if (n < 0) throw InputError(fmt::format("{}: read error: {}", path, std::strerror(errno)));
  return Parser(buf.data(), static_cast<size_t>(n), path).header();
}

bool looks_like_trace(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char m[8] = {};
  in.read(m, 8);
  return in.gcount() == 8 && std::memcmp(m, kMagic, 8) == 0;
}

// ---- writer ----------------------------------------------------------------

Writer::Writer(const std::string& path, const Header& header, int zstd_level) : path_(path), level_(zstd_level) {
#ifndef ALLOCSCOPE_HAVE_ZSTD
  if (level_ > 0) throw InputError("zstd compression requested, but this build has no libzstd");
#endif
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) throw InputError(fmt::format("{}: cannot create: {}", path, std::strerror(errno)));
  std::vector<uint8_t> h(kFileHeaderSize + kMaxProgramLen);
  uint32_t flags = header.flags | (level_ > 0 ? kFlagZstd : 0);
  uint32_t n = put_file_header(h.data(), header.page_size, flags, header.start_unix_ns, header.pid,
                               header.program.data(), static_cast<uint32_t>(header.program.size()));
  write_bytes(h.data(), n);
}

Writer::~Writer() {
  if (fd_ >= 0) ::close(fd_);
}

void Writer::write_bytes(const void* p, size_t n) {
  const char* c = static_cast<const char*>(p);
  while (n > 0) {
    ssize_t w = ::write(fd_, c, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) throw std::runtime_error(fmt::format("{}: write error: {}", path_, std::strerror(errno)));
    c += w;
    n -= static_cast<size_t>(w);
  }
}

void Writer::add(const Event& e) {
  Open& o = open_[e.thread];
  if (o.h.count == 0) {
    o.st = DeltaState{e.seq, e.ts, 0};
    o.h.base_seq = e.seq;
    o.h.base_ts = e.ts;
  }
  EventFields f;
  f.op = static_cast<uint8_t>(e.op | e.flags);
  f.seq = e.seq;
  f.ts = e.ts;
  f.size = e.size;
  f.nmemb = e.nmemb;
  f.align = e.align;
  f.old_ptr = e.old_ptr;
  f.ptr = e.ptr;
  f.seq_gap = e.seq_gap;
  f.os_tid = e.os_tid;
  size_t at = o.buf.size();
  o.buf.resize(at + kMaxEventSize);
  uint8_t* end = encode_event(o.buf.data() + at, o.st, f);
  o.buf.resize(static_cast<size_t>(end - o.buf.data()));
  ++o.h.count;
  ++total_;
  if (o.buf.size() >= (64u << 10)) flush(e.thread, o);
}

void Writer::flush(uint32_t thread, Open& o) {
  if (o.h.count == 0) return;
  o.h.thread = thread;
  o.h.raw_len = static_cast<uint32_t>(o.buf.size());
  o.h.type = kChunkRaw;
  o.h.stored_len = o.h.raw_len;
  std::vector<uint8_t> out;
#ifdef ALLOCSCOPE_HAVE_ZSTD
  if (level_ > 0) {
    out.resize(ZSTD_compressBound(o.buf.size()));
    size_t n = ZSTD_compress(out.data(), out.size(), o.buf.data(), o.buf.size(), level_);
    if (!ZSTD_isError(n) && n < o.buf.size()) {
      out.resize(n);
      o.h.type = kChunkZstd;
      o.h.stored_len = static_cast<uint32_t>(n);
    }
  }
#endif
  uint8_t hdr[kChunkHeaderSize];
  put_chunk_header(hdr, o.h);
  write_bytes(hdr, sizeof hdr);
  if (o.h.type == kChunkZstd)
    write_bytes(out.data(), out.size());
  else
    write_bytes(o.buf.data(), o.buf.size());
  o.buf.clear();
  o.h = ChunkHeader{};
}

void Writer::finish(uint32_t threads, uint64_t end_ts) {
  for (auto& [t, o] : open_) flush(t, o);
  ChunkHeader e;
  e.type = kChunkEnd;
  e.thread = threads;
  e.base_seq = total_;
  e.base_ts = end_ts;
  uint8_t hdr[kChunkHeaderSize];
  put_chunk_header(hdr, e);
  write_bytes(hdr, sizeof hdr);
  if (::close(fd_) != 0) throw std::runtime_error(fmt::format("{}: close error: {}", path_, std::strerror(errno)));
  fd_ = -1;
}

// ---- glibc mtrace text -----------------------------------------------------

namespace {
bool parse_hex(const std::string& s, uint64_t* out) {
  if (s == "(nil)") {
    *out = 0;
    return true;
  }
  if (s.size() < 3 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || s.size() > 18) return false;
  uint64_t v = 0;
  for (size_t i = 2; i < s.size(); ++i) {
    char c = s[i];
    int d = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                   : -1;
    if (d < 0) return false;
    v = v << 4 | static_cast<uint64_t>(d);
  }
  *out = v;
  return true;
}
}  // namespace

Trace read_mtrace(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  Trace t;
  t.header.flags = kFlagNoTiming;
  t.header.page_size = static_cast<uint32_t>(::sysconf(_SC_PAGESIZE));
  t.header.program = "mtrace:" + path;
  t.threads = 1;
  std::string line;
  size_t lineno = 0;
  uint64_t seq = 0;
  bool pending = false;
  uint64_t pending_old = 0;
  size_t pending_line = 0;
  bool any = false;
  while (std::getline(in, line)) {
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::vector<std::string> tok;
    for (size_t i = 0; i < line.size();) {
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
      size_t j = i;
      while (j < line.size() && line[j] != ' ' && line[j] != '\t') ++j;
      if (j > i) tok.push_back(line.substr(i, j - i));
      i = j;
    }
    if (tok.empty()) continue;
    auto bad = [&](const std::string& why) -> InputError {
      return InputError(fmt::format("{}:{}: {}", path, lineno, why));
    };
    if (tok[0] == "=") {  // "= Start" / "= End"
      any = true;
      continue;
    }
    size_t k = 0;
    if (tok[0] == "@") {
      if (tok.size() < 3) throw bad("'@' caller line without an operation");
      k = 2;  // skip "@" and the caller
    }
    const std::string& op = tok[k];
    std::vector<uint64_t> nums;
    for (size_t i = k + 1; i < tok.size(); ++i) {
      uint64_t v = 0;
      if (!parse_hex(tok[i], &v)) throw bad(fmt::format("'{}' is not a hexadecimal number", tok[i]));
      nums.push_back(v);
    }
    auto need = [&](size_t n) {
      if (nums.size() != n) throw bad(fmt::format("'{}' takes {} value(s), got {}", op, n, nums.size()));
    };
    if (pending && op != ">") throw bad(fmt::format("realloc '<' on line {} is not followed by '>'", pending_line));
    Event e;
    e.thread = 0;
    if (op == "+") {
      need(2);
      e.op = kMalloc;
      e.ptr = nums[0];
      e.size = nums[1];
    } else if (op == "-") {
      need(1);
      e.op = kFree;
      e.ptr = nums[0];
    } else if (op == "<") {
      need(1);
      pending = true;
      pending_old = nums[0];
      pending_line = lineno;
      any = true;
      continue;
    } else if (op == ">") {
      need(2);
      if (!pending) throw bad("realloc '>' without a preceding '<'");
      pending = false;
      e.op = kRealloc;
      e.old_ptr = pending_old;
      e.ptr = nums[0];
      e.size = nums[1];
    } else if (op == "!") {
      need(2);
      e.op = kRealloc;
      e.old_ptr = nums[0];
      e.ptr = 0;
      e.size = nums[1];
    } else {
      throw bad(fmt::format("unknown mtrace operation '{}' (expected +, -, <, >, ! or =)", op));
    }
    any = true;
    e.seq = ++seq;
    t.events.push_back(e);
  }
  if (pending) throw InputError(fmt::format("{}:{}: realloc '<' is not followed by '>'", path, pending_line));
  if (!any)
    throw InputError(fmt::format("{}: no mtrace lines (expected '= Start', '@ ... + 0xADDR 0xSIZE', ...)", path));
  return t;
}

// ---- summary -----------------------------------------------------------------

Summary summarize(const Trace& t) {
  Summary s;
  for (int op = 1; op < kOpCount; ++op)
    if (const char* n = op_name(op); n && op != kThreadStart && op != kThreadExit) s.ops[n] = 0;
  s.events = t.events.size();
  s.threads = t.threads;
  struct Live {
    uint64_t size;
    uint32_t thread;
  };
  std::unordered_map<uint64_t, Live> live;
  live.reserve(1024);
  // A trace may claim any size: byte sums are kept wider than 64 bits, and
  // the totals reported saturate at UINT64_MAX.
  using Wide = unsigned __int128;
  const auto saturated = [](Wide v) { return v > UINT64_MAX ? UINT64_MAX : static_cast<uint64_t>(v); };
  Wide cur = 0;
  std::map<uint64_t, uint64_t> hist;
  auto acquire = [&](const Event& e, uint64_t seq) {
    const uint64_t r = e.requested();
    live[e.ptr] = Live{r, e.thread};
    cur += r;
    s.total_requested_bytes = saturated(Wide{s.total_requested_bytes} + r);
    if (saturated(cur) > s.peak_live_bytes) {
      s.peak_live_bytes = saturated(cur);
      s.peak_seq = seq;
    }
    uint64_t b = 1;
    while (b < r && b < (1ull << 63)) b <<= 1;
    ++hist[b];
  };
  auto release = [&](uint64_t p, uint32_t thread) {
    auto it = live.find(p);
    if (it == live.end()) {
      ++s.unmatched_frees;
      return;
    }
    ++s.matched_frees;
    if (it->second.thread != thread) ++s.cross_thread_frees;
    cur -= it->second.size;
    live.erase(it);
  };
  // Reallocs release their old block at seq - seq_gap, before later events
  // with smaller sequence numbers; visit the two halves in key order.
  // Keys are seq * 2 (+ 1), in 128 bits: any 64-bit sequence number.
  std::vector<std::pair<Wide, uint32_t>> points;  // (key, index*2 + half)
  points.reserve(t.events.size() + 16);
  for (size_t i = 0; i < t.events.size(); ++i) {
    const Event& e = t.events[i];
    if (op_reallocs(e.op) && e.old_ptr != 0)
      points.emplace_back(Wide{e.seq - e.seq_gap} * 2, static_cast<uint32_t>(i * 2));
    points.emplace_back(Wide{e.seq} * 2 + 1, static_cast<uint32_t>(i * 2 + 1));
  }
  std::sort(points.begin(), points.end());
  for (const auto& [key, code] : points) {
    const Event& e = t.events[code / 2];
    const bool release_half = (code & 1) == 0;
    const char* name = op_name(e.op);
    if (release_half) {
      if (!(e.ptr == 0 && e.requested() > 0)) release(e.old_ptr, e.thread);  // a failed realloc frees nothing
      continue;
    }
    if (e.op == kThreadStart || e.op == kThreadExit) continue;
    ++s.ops[name];
    if (e.flags) {
      std::string v = std::string(name) + ":";
      if (e.flags & kFlagNothrow) v += "nothrow,";
      if (e.flags & kFlagSized) v += "sized,";
      if (e.flags & kFlagAligned) v += "aligned,";
      v.pop_back();
      ++s.variants[v];
    }
    if (op_frees(e.op)) {
      ++s.free_ops;
      if (e.ptr == 0)
        ++s.null_frees;
      else
        release(e.ptr, e.thread);
    } else if (op_allocates(e.op)) {
      ++s.alloc_ops;
      if (e.ptr == 0) {
        if (!(op_reallocs(e.op) && e.requested() == 0 && e.old_ptr != 0)) ++s.failed_allocs;
      } else {
        acquire(e, e.seq);
      }
    }
  }
  s.end_live_bytes = saturated(cur);
  s.live_blocks_end = live.size();
  uint64_t last_ts = t.end_ts;
  for (const auto& e : t.events) last_ts = std::max(last_ts, e.ts);
  s.duration_s = (t.header.flags & kFlagNoTiming) ? 0.0 : static_cast<double>(last_ts) / 1e9;
  for (const auto& [b, c] : hist) s.size_histogram.emplace_back(b, c);
  return s;
}

}  // namespace allocscope::trace
