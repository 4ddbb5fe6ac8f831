// Fuzzes binmalloc (prefixed API) with operation sequences checked against a
// reference model: every live block keeps its content, alignment and usable
// size hold, realloc keeps the prefix, calloc zeroes, and
// binmalloc_check_heap() (which aborts on a fault) passes at the end.
//
// Built twice from this file: fuzz_binmalloc links binmalloc_static (main
// arena on an mmapped pseudo-brk region), fuzz_binmalloc_brk links
// binmalloc_brk_static (main arena on the real brk heap, as in the shipped
// libbinmalloc.so); the latter also checks that a heap emptied and trimmed
// gives its break back.
//
// Input: a config byte (bits 0-1: 1 to 3 threads; bit 2: set the trim
// threshold, top pad and mmap threshold from the next 3 bytes), then
// operations of 2+ bytes. An operation's high nibble picks the thread that
// runs it: the threads take turns (one operation at a time, so a crash
// reproduces from its input) and a block may be freed or reallocated by
// another thread than the one that allocated it. A "burst" operation runs a
// short list of operations on every thread at once, each on its own slots.
#include <unistd.h>

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "binmalloc.h"

#ifndef FUZZ_BINMALLOC_BRK
#define FUZZ_BINMALLOC_BRK 0
#endif

namespace {

struct Slot {
  unsigned char* p = nullptr;
  size_t size = 0;
  unsigned char tag = 0;
};

constexpr size_t kSlots = 64;
constexpr int kMaxThreads = 3;

[[noreturn]] void fail(const char* what, size_t size) {
  std::fprintf(stderr, "fuzz_binmalloc: %s (size %zu)\n", what, size);
  std::abort();
}

struct Reader {
  const uint8_t* d;
  size_t n, i = 0;
  bool more() const { return i < n; }
  uint8_t u8() { return i < n ? d[i++] : 0; }
  uint16_t u16() { return static_cast<uint16_t>(u8() | (u8() << 8)); }
};

// Sizes: mostly small, some medium, a few large (mmap'd), edge values.
size_t size_from(Reader& r) {
  uint8_t k = r.u8();
  switch (k % 8) {
    case 0:
      return r.u8();
    case 1:
    case 2:
    case 3:
      return r.u16() % 1024;
    case 4:
    case 5:
      return r.u16();
    case 6:
      return static_cast<size_t>(r.u16()) * 16;  // up to 1 MiB
    default:
      return (static_cast<size_t>(r.u8()) << 12) + (k >> 3);
  }
}

// The checking loops are not instrumented for coverage: they say nothing
// about binmalloc and would dominate the run time.
#define NO_COVERAGE __attribute__((no_sanitize("coverage")))

NO_COVERAGE void fill(Slot& s) {
  for (size_t i = 0; i < s.size; ++i) s.p[i] = static_cast<unsigned char>(s.tag + i * 7);
}

NO_COVERAGE void verify(const Slot& s, size_t n, const char* when) {
  for (size_t i = 0; i < n; ++i)
    if (s.p[i] != static_cast<unsigned char>(s.tag + i * 7)) fail(when, s.size);
}

NO_COVERAGE bool all_zero(const unsigned char* p, size_t n) {
  for (size_t i = 0; i < n; ++i)
    if (p[i]) return false;
  return true;
}

void check_new(const void* p, size_t size, size_t align, const char* who) {
  if (!p) fail(who, size);
  if (reinterpret_cast<uintptr_t>(p) % align) fail("misaligned block", size);
  if (binmalloc_malloc_usable_size(const_cast<void*>(p)) < size) fail("usable size below request", size);
}

size_t min_align(size_t size) {
  return size >= 16 ? 16 : 8;
}

void release(Slot& s) {
  if (!s.p) return;
  verify(s, s.size, "corrupted before free");
  binmalloc_free(s.p);
  s = Slot{};
}

void do_malloc(Slot& s, size_t size, unsigned char tag) {
  release(s);
  s.size = size;
  s.p = static_cast<unsigned char*>(binmalloc_malloc(s.size));
  check_new(s.p, s.size, min_align(s.size), "malloc returned NULL");
  s.tag = tag;
  fill(s);
}

void do_realloc(Slot& s, size_t n, unsigned char tag) {
  if (n == 0) n = 1;  // realloc(p, 0) may free: keep the model simple
  auto* q = static_cast<unsigned char*>(binmalloc_realloc(s.p, n));
  check_new(q, n, min_align(n), "realloc returned NULL");
  Slot moved{q, n, s.tag};
  if (s.p)
    verify(moved, n < s.size ? n : s.size, "realloc lost content");
  else
    moved.tag = tag;
  s = moved;
  fill(s);
}

// A thread that runs one job at a time for the fuzzer's thread. The workers
// live as long as the process (each keeps its binmalloc arena and tcache
// from one input to the next, as the fuzzer's thread does).
class Worker {
 public:
  Worker() : thread_([this] { loop(); }) { thread_.detach(); }
  void start(std::function<void()> job) {
    std::lock_guard<std::mutex> lock(m_);
    job_ = std::move(job);
    busy_ = true;
    cv_.notify_all();
  }
  void wait() {
    std::unique_lock<std::mutex> lock(m_);
    cv_.wait(lock, [this] { return !busy_; });
  }
  void run(std::function<void()> job) {
    start(std::move(job));
    wait();
  }

 private:
  void loop() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock<std::mutex> lock(m_);
        cv_.wait(lock, [this] { return busy_ && job_; });
        job = std::move(job_);
        job_ = nullptr;
      }
      job();
      std::lock_guard<std::mutex> lock(m_);
      busy_ = false;
      cv_.notify_all();
    }
  }
  std::mutex m_;
  std::condition_variable cv_;
  std::function<void()> job_;
  bool busy_ = false;
  std::thread thread_;
};

// Thread 0 is the fuzzer's own thread; 1 and 2 are workers.
Worker* workers[kMaxThreads];

void on_thread(int t, const std::function<void()>& job) {
  if (t == 0)
    job();
  else
    workers[t]->run(job);
}

// One operation of a burst, decoded before the threads start.
struct BurstOp {
  uint8_t kind;
  size_t slot;
  size_t size;
  unsigned char tag;
};

NO_COVERAGE void run_burst(Slot* slots, const std::vector<BurstOp>& ops) {
  for (const BurstOp& op : ops) {
    Slot& s = slots[op.slot];
    if (op.kind == 0)
      do_malloc(s, op.size, op.tag);
    else if (op.kind == 1)
      release(s);
    else
      do_realloc(s, op.size, op.tag);
  }
}

// Every thread runs up to 8 operations at the same time as the others, on
// the slots whose index modulo the thread count is its own.
void burst(Reader& r, Slot* slots, int nthreads, unsigned char& tag) {
  std::vector<BurstOp> ops[kMaxThreads];
  for (int t = 0; t < nthreads; ++t) {
    const int n = r.u8() % 9;
    for (int k = 0; k < n; ++k) {
      const uint8_t kind = r.u8() % 3;
      const size_t slot = (r.u8() % (kSlots / kMaxThreads)) * static_cast<size_t>(nthreads) + static_cast<size_t>(t);
      const size_t size = kind == 1 ? 0 : size_from(r);
      ops[t].push_back({kind, slot, size, tag++});
    }
  }
  for (int t = 1; t < nthreads; ++t) workers[t]->start([&, t] { run_burst(slots, ops[t]); });
  run_burst(slots, ops[0]);
  for (int t = 1; t < nthreads; ++t) workers[t]->wait();
}

void aligned(Reader& r, Slot& s, unsigned char tag) {
  release(s);
  uint8_t k = r.u8();
  size_t align = size_t{1} << (k % 17);  // 1 .. 64 KiB
  s.size = size_from(r);
  void* p = nullptr;
  if (k & 0x20) {
    if (align < sizeof(void*)) align = sizeof(void*);
    if (binmalloc_posix_memalign(&p, align, s.size) != 0) fail("posix_memalign failed", s.size);
  } else if (k & 0x40) {
    s.size = (s.size + align - 1) / align * align;
    p = binmalloc_aligned_alloc(align, s.size);
  } else {
    p = binmalloc_memalign(align, s.size);
  }
  s.p = static_cast<unsigned char*>(p);
  check_new(s.p, s.size, align, "aligned allocation returned NULL");
  s.tag = tag;
  fill(s);
}

void calloc_op(Reader& r, Slot& s, unsigned char tag) {
  release(s);
  size_t n = 1 + r.u8() % 16, each = size_from(r) / 16;
  s.size = n * each;
  s.p = static_cast<unsigned char*>(binmalloc_calloc(n, each));
  check_new(s.p, s.size, min_align(s.size), "calloc returned NULL");
  if (!all_zero(s.p, s.size)) fail("calloc memory not zero", s.size);
  s.tag = tag;
  fill(s);
}

// The parameters an input may set (mallopt), from the 3 bytes after the config.
void tune(Reader& r) {
  static const int trim[] = {0, 4096, 64 << 10, 128 << 10};
  static const int pad[] = {0, 4096, 64 << 10, 128 << 10};
  static const int mmap_at[] = {4096, 64 << 10, 128 << 10, 1 << 20};
  binmalloc_mallopt(BINMALLOC_M_TRIM_THRESHOLD, trim[r.u8() % 4]);
  binmalloc_mallopt(BINMALLOC_M_TOP_PAD, pad[r.u8() % 4]);
  binmalloc_mallopt(BINMALLOC_M_MMAP_THRESHOLD, mmap_at[r.u8() % 4]);
}

#if FUZZ_BINMALLOC_BRK
char* initial_break;
#endif

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
#if FUZZ_BINMALLOC_BRK
  initial_break = static_cast<char*>(sbrk(0));
#endif
  for (int t = 1; t < kMaxThreads; ++t) workers[t] = new Worker;
  void* p = binmalloc_malloc(1);
  binmalloc_free(p);
  if (binmalloc_main_uses_brk() != FUZZ_BINMALLOC_BRK) fail("binmalloc main arena on the wrong heap", 0);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return -1;
  Slot slots[kSlots];
  Reader r{data, size};
  const uint8_t config = r.u8();
  const int nthreads = 1 + (config & 3) % kMaxThreads;
  if (config & 4) tune(r);
  unsigned char tag = 1;
  while (r.more()) {
    const uint8_t op = r.u8();
    const int t = (op >> 4) % nthreads;
    Slot& s = slots[r.u8() % kSlots];
    switch (op & 15) {
      case 0:
      case 1:
      case 2:
      case 12: {
        const size_t n = size_from(r);
        const unsigned char g = tag++;
        on_thread(t, [&] { do_malloc(s, n, g); });
        break;
      }
      case 3:
      case 4:
      case 13:
        on_thread(t, [&] { release(s); });
        break;
      case 5:
      case 14: {
        const size_t n = size_from(r);
        const unsigned char g = tag++;
        on_thread(t, [&] { do_realloc(s, n, g); });
        break;
      }
      case 6:
        on_thread(t, [&] { calloc_op(r, s, tag++); });
        break;
      case 7:
        on_thread(t, [&] { aligned(r, s, tag++); });
        break;
      case 8: {  // huge or overflowing requests must fail cleanly
        const size_t a = r.u8(), b = r.u8();
        on_thread(t, [&] {
          if (binmalloc_malloc(SIZE_MAX - a)) fail("huge malloc succeeded", SIZE_MAX);
          if (binmalloc_calloc(SIZE_MAX / 2 + 1, 2 + b % 3)) fail("overflowing calloc succeeded", SIZE_MAX);
        });
        break;
      }
      case 9: {
        const uint8_t k = r.u8();
        on_thread(t, [&] {
          if (k % 4 == 0)
            binmalloc_malloc_trim(0);
          else if (k % 4 == 1)
            binmalloc_tcache_flush();
          else
            binmalloc_check_heap();
        });
        break;
      }
      case 10:
        burst(r, slots, nthreads, tag);
        break;
      default:
        on_thread(t, [&] { binmalloc_check_heap(); });
        break;
    }
  }
  for (Slot& s : slots) release(s);
  binmalloc_check_heap();
#if FUZZ_BINMALLOC_BRK
  // Emptied (tcaches too) and trimmed, the brk heap gives its pages back
  // but for what the allocator keeps for itself (the main thread's tcache).
  for (int t = 0; t < kMaxThreads; ++t) on_thread(t, [] { binmalloc_tcache_flush(); });
  binmalloc_malloc_trim(0);
  if (static_cast<char*>(sbrk(0)) - initial_break > (64 << 10)) fail("brk heap not trimmed", 0);
#endif
  return 0;
}
