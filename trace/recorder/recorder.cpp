// liballocscope_trace.so: preloaded by `allocscope record`, it interposes the
// C allocation functions and the C++ operator new/delete forms, forwards each
// call to the next allocator (dlsym(RTLD_NEXT)) and records it into a
// per-thread buffer that is flushed to the trace file with write(2).
//
// Rules of this file: no allocation of its own on the recording path (thread
// buffers come from mmap), no C++ runtime (no exceptions, no libstdc++), no
// output to stdout/stderr. Environment (set by `allocscope record`):
//   ALLOCSCOPE_TRACE_OUT   the trace file (absolute path); unset = pass-through
//   ALLOCSCOPE_TRACE_ROOT  pid of the process that writes OUT itself; every
//                          other process (forked child, exec'd descendant)
//                          writes OUT.<pid>
//   ALLOCSCOPE_TRACE_ZSTD  zstd level for chunks (0 or unset = raw)
//   ALLOCSCOPE_TRACE_BUFFER per-thread buffer in KiB (default 64)
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <new>

#ifdef ALLOCSCOPE_HAVE_ZSTD
#include <zstd.h>
#endif

#include "trace/format/trace_format.hpp"

#define AS_EXPORT __attribute__((visibility("default")))
#define AS_TLS __attribute__((tls_model("initial-exec"))) static __thread
#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)

using namespace allocscope::tracefmt;

namespace {

// ---- the next allocator ----------------------------------------------------
struct Real {
  void* (*malloc)(size_t);
  void* (*calloc)(size_t, size_t);
  void* (*realloc)(void*, size_t);
  void* (*reallocarray)(void*, size_t, size_t);
  void (*free)(void*);
  void* (*memalign)(size_t, size_t);
  int (*posix_memalign)(void**, size_t, size_t);
  void* (*aligned_alloc)(size_t, size_t);
  void* (*valloc)(size_t);
  void* (*pvalloc)(size_t);
  // Used only when malloc fails, so that the C++ runtime's new_handler loop
  // and std::bad_alloc behave as without the tracer.
  void* (*new_)(size_t);
  void* (*new_array)(size_t);
  void* (*new_aligned)(size_t, std::align_val_t);
  void* (*new_array_aligned)(size_t, std::align_val_t);
};
Real real;

enum Mode { kUninit = 0, kResolving = 1, kPassThrough = 2, kRecording = 3 };
std::atomic<int> g_mode{kUninit};

// dlsym may allocate while we resolve the real functions: those requests are
// served from this arena and never freed.
alignas(64) char g_boot[64 * 1024];
size_t g_boot_used = 0;

bool in_boot(const void* p) {
  return static_cast<const char*>(p) >= g_boot && static_cast<const char*>(p) < g_boot + sizeof g_boot;
}
void* boot_alloc(size_t n, size_t align) {
  if (align < 16) align = 16;
  size_t start = (g_boot_used + 16 + align - 1) & ~(align - 1);  // 16 bytes before: the size
  if (start + n > sizeof g_boot) return nullptr;
  memcpy(g_boot + start - 16, &n, sizeof n);
  g_boot_used = start + n;
  return g_boot + start;
}
size_t boot_size(const void* p) {
  size_t n;
  memcpy(&n, static_cast<const char*>(p) - 16, sizeof n);
  return n;
}

// ---- recording state ----------------------------------------------------------
constexpr size_t kDefaultBuf = 64 * 1024;

struct ThreadBuf {
  ThreadBuf* next;
  ThreadBuf* prev;
  uint32_t thread;
  uint32_t count;
  volatile int busy;  // set while the owner appends (checked by the exit flush)
  uint8_t* cur;
  uint8_t* end;
  DeltaState st;
  uint64_t base_seq, base_ts;
  size_t map_size;
  uint8_t* data;  // kChunkHeaderSize bytes reserved, then the payload
};

AS_TLS ThreadBuf* t_buf;
AS_TLS int t_depth;   // > 0: inside the tracer (its own calls are not traced)
AS_TLS int t_exited;  // the thread's buffer was finalised (TLS destructor ran)
AS_TLS int64_t t_index = -1;

std::atomic<uint64_t> g_seq{1};
std::atomic<uint32_t> g_next_thread{0};
std::atomic<bool> g_final{false};
pthread_mutex_t g_write_mu = PTHREAD_MUTEX_INITIALIZER;  // the file
pthread_mutex_t g_list_mu = PTHREAD_MUTEX_INITIALIZER;   // the list of live buffers
ThreadBuf* g_list = nullptr;
pthread_key_t g_key;
size_t g_buf_size = kDefaultBuf;
int g_zstd_level = 0;

char g_out[4096];  // path of this process's file
int g_fd = -1;
dev_t g_dev;
ino_t g_ino;
uint64_t g_written = 0;  // events written so far (under g_write_mu)
uint64_t g_start_mono = 0;
uint64_t g_start_unix = 0;
uint32_t g_page = 4096;
char g_program[kMaxProgramLen];
uint32_t g_program_len = 0;

// Event timestamps use the coarse monotonic clock by default (a few ns on
// every machine; resolution one kernel tick, 1-4 ms): enough for the gaps an
// allocator's time-based purging reacts to. ALLOCSCOPE_TRACE_CLOCK=precise
// selects CLOCK_MONOTONIC (ns resolution, 20-100 ns per read).
clockid_t g_clock = CLOCK_MONOTONIC_COARSE;
inline uint64_t mono_ns() {
  struct timespec ts;
  clock_gettime(g_clock, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}
inline uint64_t now_ts() {
  return mono_ns() - g_start_mono;
}

// ---- small libc-free helpers ------------------------------------------------
size_t cstrlen(const char* s) {
  size_t n = 0;
  while (s[n]) ++n;
  return n;
}
char* append(char* dst, const char* end, const char* s) {
  while (*s && dst < end) *dst++ = *s++;
  return dst;
}
char* append_u64(char* dst, const char* end, uint64_t v) {
  char tmp[24];
  int n = 0;
  do {
    tmp[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v);
  while (n > 0 && dst < end) *dst++ = tmp[--n];
  return dst;
}
uint64_t parse_u64(const char* s) {
  uint64_t v = 0;
  while (s && *s >= '0' && *s <= '9') v = v * 10 + static_cast<uint64_t>(*s++ - '0');
  return v;
}

void write_all(int fd, const void* p, size_t n) {
  const char* c = static_cast<const char*>(p);
  while (n > 0) {
    ssize_t w = ::write(fd, c, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;  // disk full or closed: the trace will be rejected as truncated
    c += w;
    n -= static_cast<size_t>(w);
  }
}

// Opens this process's file on first use (so a child that execs at once
// leaves none behind). A program that closed our descriptor gets it reopened.
// Called with g_write_mu held.
bool ensure_file() {
  if (g_fd >= 0) {
    struct stat sb;
    if (fstat(g_fd, &sb) == 0 && sb.st_dev == g_dev && sb.st_ino == g_ino) return true;
    int fd = ::open(g_out, O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd < 0) return false;
    int hi = fcntl(fd, F_DUPFD_CLOEXEC, 1000);
    if (hi >= 0) {
      ::close(fd);
      fd = hi;
    }
    g_fd = fd;
    return true;
  }
  int fd = ::open(g_out, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  // Keep out of the way of programs that expect low descriptor numbers.
  int hi = fcntl(fd, F_DUPFD_CLOEXEC, 1000);
  if (hi >= 0) {
    ::close(fd);
    fd = hi;
  }
  struct stat sb;
  if (fstat(fd, &sb) == 0) {
    g_dev = sb.st_dev;
    g_ino = sb.st_ino;
  }
  g_fd = fd;
  uint8_t hdr[kFileHeaderSize + kMaxProgramLen];
  uint32_t n = put_file_header(hdr, g_page, g_zstd_level > 0 ? kFlagZstd : 0, g_start_unix,
                               static_cast<uint32_t>(getpid()), g_program, g_program_len);
  write_all(g_fd, hdr, n);
  return true;
}

// Writes one chunk (header space reserved in front of `payload`).
void write_chunk(uint8_t* header_space, uint32_t thread, uint32_t count, uint64_t base_seq, uint64_t base_ts,
                 uint32_t raw_len, bool with_end_record) {
  ChunkHeader h;
  h.type = kChunkRaw;
  h.thread = thread;
  h.count = count;
  h.raw_len = raw_len;
  h.stored_len = raw_len;
  h.base_seq = base_seq;
  h.base_ts = base_ts;
  uint8_t* out = header_space;
  size_t out_len = kChunkHeaderSize + raw_len;
  void* zbuf = nullptr;
  size_t zcap = 0;
#ifdef ALLOCSCOPE_HAVE_ZSTD
  if (g_zstd_level > 0 && raw_len > 256) {
    zcap = kChunkHeaderSize + ZSTD_compressBound(raw_len);
    zbuf = mmap(nullptr, zcap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (zbuf != MAP_FAILED) {
      size_t z = ZSTD_compress(static_cast<uint8_t*>(zbuf) + kChunkHeaderSize, zcap - kChunkHeaderSize,
                               header_space + kChunkHeaderSize, raw_len, g_zstd_level);
      if (!ZSTD_isError(z) && z < raw_len) {
        h.type = kChunkZstd;
        h.stored_len = static_cast<uint32_t>(z);
        out = static_cast<uint8_t*>(zbuf);
        out_len = kChunkHeaderSize + z;
      }
    } else {
      zbuf = nullptr;
    }
  }
#endif
  put_chunk_header(out, h);
  pthread_mutex_lock(&g_write_mu);
  if (ensure_file()) {
    write_all(g_fd, out, out_len);
    g_written += count;
    if (with_end_record) {
      ChunkHeader e;
      e.type = kChunkEnd;
      e.thread = g_next_thread.load(std::memory_order_relaxed);
      e.base_seq = g_written;
      e.base_ts = now_ts();
      uint8_t eh[kChunkHeaderSize];
      put_chunk_header(eh, e);
      write_all(g_fd, eh, sizeof eh);
    }
  }
  pthread_mutex_unlock(&g_write_mu);
  if (zbuf) munmap(zbuf, zcap);
}

void flush_buf(ThreadBuf* b) {
  if (b->count == 0) return;
  ++t_depth;
  write_chunk(b->data, b->thread, b->count, b->base_seq, b->base_ts,
              static_cast<uint32_t>(b->cur - (b->data + kChunkHeaderSize)), false);
  b->cur = b->data + kChunkHeaderSize;
  b->count = 0;
  --t_depth;
}

uint32_t thread_index() {
  if (t_index < 0) t_index = g_next_thread.fetch_add(1, std::memory_order_relaxed);
  return static_cast<uint32_t>(t_index);
}

// Events after the thread's buffer was finalised (late frees on thread exit)
// or after the process-exit flush: one small chunk each, written at once;
// after the final flush each is followed by a fresh end record.
void record_unbuffered(EventFields& e) {
  ++t_depth;
  uint8_t tmp[kChunkHeaderSize + kMaxEventSize];
  e.ts = now_ts();
  DeltaState st{e.seq, e.ts, 0};
  uint8_t* end = encode_event(tmp + kChunkHeaderSize, st, e);
  write_chunk(tmp, thread_index(), 1, e.seq, e.ts, static_cast<uint32_t>(end - (tmp + kChunkHeaderSize)),
              g_final.load(std::memory_order_acquire));
  --t_depth;
}

void append(ThreadBuf* b, EventFields& e) {
  if (UNLIKELY(b->cur + kMaxEventSize > b->end)) flush_buf(b);
  if (b->count == 0) {
    b->base_seq = e.seq;
    b->base_ts = e.ts;
    b->st = DeltaState{e.seq, e.ts, 0};
  }
  b->cur = encode_event(b->cur, b->st, e);
  ++b->count;
}

void thread_end(void* arg);

ThreadBuf* thread_begin() {
  ++t_depth;
  size_t map_size = sizeof(ThreadBuf) + kChunkHeaderSize + g_buf_size + kMaxEventSize;
  void* m = mmap(nullptr, map_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED) {
    --t_depth;
    return nullptr;
  }
  ThreadBuf* b = static_cast<ThreadBuf*>(m);
  b->map_size = map_size;
  b->data = reinterpret_cast<uint8_t*>(b + 1);
  b->cur = b->data + kChunkHeaderSize;
  b->end = b->cur + g_buf_size;
  b->thread = thread_index();
  pthread_mutex_lock(&g_list_mu);
  b->next = g_list;
  b->prev = nullptr;
  if (g_list) g_list->prev = b;
  g_list = b;
  pthread_mutex_unlock(&g_list_mu);
  pthread_setspecific(g_key, b);
  t_buf = b;
  EventFields e;
  e.op = kThreadStart;
  e.seq = g_seq.fetch_add(1, std::memory_order_relaxed);
  e.ts = now_ts();
  e.os_tid = static_cast<uint64_t>(syscall(SYS_gettid));
  append(b, e);
  --t_depth;
  return b;
}

void unlink_buf(ThreadBuf* b) {
  if (b->prev)
    b->prev->next = b->next;
  else
    g_list = b->next;
  if (b->next) b->next->prev = b->prev;
}

// TLS destructor: the thread ends. Later events of this thread (late frees by
// the C library) go unbuffered.
void thread_end(void* arg) {
  ThreadBuf* b = static_cast<ThreadBuf*>(arg);
  if (!b) return;
  ++t_depth;
  pthread_mutex_lock(&g_list_mu);
  if (!g_final.load(std::memory_order_acquire)) {
    EventFields e;
    e.op = kThreadExit;
    e.seq = g_seq.fetch_add(1, std::memory_order_relaxed);
    e.ts = now_ts();
    append(b, e);
    flush_buf(b);
  }
  unlink_buf(b);
  pthread_mutex_unlock(&g_list_mu);
  t_buf = nullptr;
  t_exited = 1;
  munmap(b, b->map_size);
  --t_depth;
}

// Appends one event; the caller set op, seq and the operands.
inline void record(EventFields& e) {
  ThreadBuf* b = t_buf;
  if (UNLIKELY(!b)) {
    record_unbuffered(e);
    return;
  }
  b->busy = 1;
  if (UNLIKELY(g_final.load(std::memory_order_relaxed))) {
    b->busy = 0;
    record_unbuffered(e);
    return;
  }
  e.ts = now_ts();
  append(b, e);
  b->busy = 0;
}

// Takes the next global sequence number. The thread's buffer (and its
// thread-start event) is set up first so that the start comes before.
inline uint64_t next_seq() {
  if (UNLIKELY(!t_buf) && !t_exited) thread_begin();
  return g_seq.fetch_add(1, std::memory_order_relaxed);
}

// ---- start, exit, fork ----------------------------------------------------------
const char* env_value(const char* name) {
  if (environ) return getenv(name);
  // Before the C library set up environ: read it from /proc.
  static char buf[32768];
  int fd = ::open("/proc/self/environ", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return nullptr;
  ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  if (n <= 0) return nullptr;
  buf[n] = 0;
  size_t len = cstrlen(name);
  for (ssize_t i = 0; i < n;) {
    const char* s = buf + i;
    size_t sl = cstrlen(s);
    if (sl > len && memcmp(s, name, len) == 0 && s[len] == '=') return s + len + 1;
    i += static_cast<ssize_t>(sl) + 1;
  }
  return nullptr;
}

void set_out_path(const char* base, bool root) {
  char* p = g_out;
  char* end = g_out + sizeof g_out - 1;
  p = append(p, end, base);
  if (!root) {
    p = append(p, end, ".");
    p = append_u64(p, end, static_cast<uint64_t>(getpid()));
  }
  *p = 0;
}

void read_program() {
  int fd = ::open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  ssize_t n = ::read(fd, g_program, sizeof g_program);
  ::close(fd);
  if (n <= 0) return;
  while (n > 0 && g_program[n - 1] == 0) --n;
  for (ssize_t i = 0; i < n; ++i)
    if (g_program[i] == 0) g_program[i] = ' ';
  g_program_len = static_cast<uint32_t>(n);
}

void start_clock() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  g_start_unix = static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
  g_start_mono = mono_ns();
}

void at_fork_prepare() {
  pthread_mutex_lock(&g_list_mu);
  pthread_mutex_lock(&g_write_mu);
}
void at_fork_parent() {
  pthread_mutex_unlock(&g_write_mu);
  pthread_mutex_unlock(&g_list_mu);
}
// The child records into OUT.<pid>, from scratch: the parent's buffered
// events stay with the parent, the other threads do not exist here.
void at_fork_child() {
  pthread_mutex_init(&g_write_mu, nullptr);
  pthread_mutex_init(&g_list_mu, nullptr);
  ThreadBuf* mine = t_buf;
  for (ThreadBuf* b = g_list; b;) {
    ThreadBuf* next = b->next;
    if (b != mine) munmap(b, b->map_size);
    b = next;
  }
  g_list = nullptr;
  g_fd = -1;  // inherited descriptor: the parent's file; left open, unused (close-on-exec)
  g_written = 0;
  g_final.store(false);
  g_next_thread.store(0);
  t_index = -1;
  const char* base = env_value("ALLOCSCOPE_TRACE_OUT");
  if (base) set_out_path(base, false);
  read_program();
  start_clock();
  t_buf = nullptr;
  if (mine) {
    pthread_setspecific(g_key, nullptr);
    munmap(mine, mine->map_size);
  }
}

void init() {
  int expected = kUninit;
  if (!g_mode.compare_exchange_strong(expected, kResolving)) return;  // done or under way
  real.malloc = reinterpret_cast<decltype(real.malloc)>(dlsym(RTLD_NEXT, "malloc"));
  real.calloc = reinterpret_cast<decltype(real.calloc)>(dlsym(RTLD_NEXT, "calloc"));
  real.realloc = reinterpret_cast<decltype(real.realloc)>(dlsym(RTLD_NEXT, "realloc"));
  real.reallocarray = reinterpret_cast<decltype(real.reallocarray)>(dlsym(RTLD_NEXT, "reallocarray"));
  real.free = reinterpret_cast<decltype(real.free)>(dlsym(RTLD_NEXT, "free"));
  real.memalign = reinterpret_cast<decltype(real.memalign)>(dlsym(RTLD_NEXT, "memalign"));
  real.posix_memalign = reinterpret_cast<decltype(real.posix_memalign)>(dlsym(RTLD_NEXT, "posix_memalign"));
  real.aligned_alloc = reinterpret_cast<decltype(real.aligned_alloc)>(dlsym(RTLD_NEXT, "aligned_alloc"));
  real.valloc = reinterpret_cast<decltype(real.valloc)>(dlsym(RTLD_NEXT, "valloc"));
  real.pvalloc = reinterpret_cast<decltype(real.pvalloc)>(dlsym(RTLD_NEXT, "pvalloc"));
  real.new_ = reinterpret_cast<decltype(real.new_)>(dlsym(RTLD_NEXT, "_Znwm"));
  real.new_array = reinterpret_cast<decltype(real.new_array)>(dlsym(RTLD_NEXT, "_Znam"));
  real.new_aligned = reinterpret_cast<decltype(real.new_aligned)>(dlsym(RTLD_NEXT, "_ZnwmSt11align_val_t"));
  real.new_array_aligned = reinterpret_cast<decltype(real.new_array_aligned)>(dlsym(RTLD_NEXT, "_ZnamSt11align_val_t"));
  if (!real.malloc || !real.free || !real.calloc || !real.realloc) abort();

  const char* out = env_value("ALLOCSCOPE_TRACE_OUT");
  if (!out || !*out || cstrlen(out) > sizeof g_out - 32) {
    g_mode.store(kPassThrough, std::memory_order_release);
    return;
  }
  const char* root = env_value("ALLOCSCOPE_TRACE_ROOT");
  set_out_path(out, root && parse_u64(root) == static_cast<uint64_t>(getpid()));
  if (const char* z = env_value("ALLOCSCOPE_TRACE_ZSTD")) g_zstd_level = static_cast<int>(parse_u64(z));
  if (const char* c = env_value("ALLOCSCOPE_TRACE_CLOCK"); c && c[0] == 'p') g_clock = CLOCK_MONOTONIC;
  if (const char* kb = env_value("ALLOCSCOPE_TRACE_BUFFER")) {
    uint64_t v = parse_u64(kb);
    if (v >= 4 && v <= 8192) g_buf_size = v * 1024;
  }
  long ps = sysconf(_SC_PAGESIZE);
  g_page = ps > 0 ? static_cast<uint32_t>(ps) : 4096;
  read_program();
  start_clock();
  ++t_depth;  // these may allocate
  pthread_key_create(&g_key, thread_end);
  pthread_atfork(at_fork_prepare, at_fork_parent, at_fork_child);
  --t_depth;
  g_mode.store(kRecording, std::memory_order_release);
}

inline bool recording() {
  int m = g_mode.load(std::memory_order_acquire);
  if (UNLIKELY(m == kUninit)) {
    init();
    m = g_mode.load(std::memory_order_acquire);
  }
  return m == kRecording && t_depth == 0;
}
inline bool resolving() {
  return g_mode.load(std::memory_order_acquire) == kResolving;
}

// Process exit: flush every live thread's buffer under the lock and write the
// end record. Events after this point are written one by one.
__attribute__((destructor(101))) void at_process_exit() {
  if (g_mode.load() != kRecording) return;
  ++t_depth;
  pthread_mutex_lock(&g_list_mu);
  g_final.store(true, std::memory_order_seq_cst);
  for (ThreadBuf* b = g_list; b; b = b->next) {
    // Wait (briefly) for an owner caught mid-append.
    for (int i = 0; i < 100000 && b->busy; ++i) __builtin_ia32_pause();
    flush_buf(b);
  }
  pthread_mutex_lock(&g_write_mu);
  if (ensure_file()) {
    ChunkHeader e;
    e.type = kChunkEnd;
    e.thread = g_next_thread.load();
    e.base_seq = g_written;
    e.base_ts = now_ts();
    uint8_t eh[kChunkHeaderSize];
    put_chunk_header(eh, e);
    write_all(g_fd, eh, sizeof eh);
  }
  pthread_mutex_unlock(&g_write_mu);
  pthread_mutex_unlock(&g_list_mu);
  --t_depth;
}

__attribute__((constructor)) void at_load() {
  if (g_mode.load() == kUninit) init();
}

// ---- recording helpers for the entry points -----------------------------------
inline void rec_alloc(uint8_t op, size_t size, size_t align, void* p) {
  EventFields e;
  e.op = op;
  e.seq = next_seq();
  e.size = size;
  e.align = align;
  e.ptr = reinterpret_cast<uintptr_t>(p);
  record(e);
}
inline void rec_free(uint8_t op, void* p, size_t size, size_t align) {
  EventFields e;
  e.op = op;
  e.seq = next_seq();  // before the real free: the address may be reused at once
  e.ptr = reinterpret_cast<uintptr_t>(p);
  e.size = size;
  e.align = align;
  record(e);
}

void* cxx_new(uint8_t op, size_t n, bool nothrow) {
  if (!recording()) {
    void* p = real.malloc(n ? n : 1);
    if (!p && !nothrow) {
      auto* fallback = op == kNew ? real.new_ : real.new_array;
      if (fallback) return fallback(n);
      abort();
    }
    return p;
  }
  void* p = real.malloc(n ? n : 1);
  if (UNLIKELY(!p)) {
    // Out of memory: let the C++ runtime run the new_handler / throw.
    auto* fallback = op == kNew ? real.new_ : real.new_array;
    if (!nothrow) {
      if (!fallback) abort();
      p = fallback(n);  // may throw std::bad_alloc
    }
  }
  rec_alloc(static_cast<uint8_t>(op | (nothrow ? kFlagNothrow : 0)), n, 0, p);
  return p;
}

void* cxx_new_aligned(uint8_t op, size_t n, size_t align, bool nothrow) {
  void* p = nullptr;
  if (real.posix_memalign(&p, align < sizeof(void*) ? sizeof(void*) : align, n ? n : 1) != 0) p = nullptr;
  if (UNLIKELY(!p) && !nothrow) {
    auto* fallback = op == kNew ? real.new_aligned : real.new_array_aligned;
    if (!fallback) abort();
    p = fallback(n, static_cast<std::align_val_t>(align));
  }
  if (recording()) rec_alloc(static_cast<uint8_t>(op | kFlagAligned | (nothrow ? kFlagNothrow : 0)), n, align, p);
  return p;
}

void cxx_delete(uint8_t op, void* p, size_t size, size_t align, uint8_t flags) {
  if (recording()) rec_free(static_cast<uint8_t>(op | flags), p, size, align);
  if (p) real.free(p);
}

}  // namespace

// ---- the C entry points -----------------------------------------------------------
extern "C" {

AS_EXPORT void* malloc(size_t n) {
  if (UNLIKELY(resolving())) return boot_alloc(n, 16);
  if (!recording()) return real.malloc(n);
  void* p = real.malloc(n);
  rec_alloc(kMalloc, n, 0, p);
  return p;
}

AS_EXPORT void* calloc(size_t nmemb, size_t size) {
  if (UNLIKELY(resolving())) {
    size_t total;
    if (__builtin_mul_overflow(nmemb, size, &total)) return nullptr;
    void* p = boot_alloc(total, 16);
    if (p) memset(p, 0, total);
    return p;
  }
  if (!recording()) return real.calloc(nmemb, size);
  ++t_depth;
  void* p = real.calloc(nmemb, size);
  --t_depth;
  EventFields e;
  e.op = kCalloc;
  e.seq = next_seq();
  e.nmemb = nmemb;
  e.size = size;
  e.ptr = reinterpret_cast<uintptr_t>(p);
  record(e);
  return p;
}

AS_EXPORT void free(void* p) {
  if (UNLIKELY(in_boot(p))) return;
  if (UNLIKELY(resolving())) return;
  if (recording()) rec_free(kFree, p, 0, 0);
  real.free(p);
}

static void* realloc_common(uint8_t op, void* old, size_t nmemb, size_t size) {
  if (UNLIKELY(resolving() || in_boot(old))) {
    size_t total = size;
    if (op == kReallocarray && __builtin_mul_overflow(nmemb, size, &total)) return nullptr;
    if (resolving()) {
      void* p = boot_alloc(total, 16);
      if (p && old) memcpy(p, old, boot_size(old) < total ? boot_size(old) : total);
      return p;
    }
    // A block from the boot arena: move it to the real allocator.
    void* p = malloc(total);
    if (p && old) memcpy(p, old, boot_size(old) < total ? boot_size(old) : total);
    return p;
  }
  if (!recording()) return op == kRealloc ? real.realloc(old, size) : real.reallocarray(old, nmemb, size);
  const uint64_t before = next_seq();
  ++t_depth;  // glibc's reallocarray calls realloc: one event, not two
  void* p = op == kRealloc ? real.realloc(old, size) : real.reallocarray(old, nmemb, size);
  --t_depth;
  EventFields e;
  e.op = op;
  e.seq = next_seq();
  e.seq_gap = e.seq - before;
  e.nmemb = nmemb;
  e.size = size;
  e.old_ptr = reinterpret_cast<uintptr_t>(old);
  e.ptr = reinterpret_cast<uintptr_t>(p);
  record(e);
  return p;
}

AS_EXPORT void* realloc(void* old, size_t size) {
  return realloc_common(kRealloc, old, 0, size);
}

AS_EXPORT void* reallocarray(void* old, size_t nmemb, size_t size) {
  if (!real.reallocarray && g_mode.load() >= kPassThrough) {
    size_t total;
    if (__builtin_mul_overflow(nmemb, size, &total)) {
      errno = ENOMEM;
      return nullptr;
    }
    return realloc(old, total);
  }
  return realloc_common(kReallocarray, old, nmemb, size);
}

AS_EXPORT void* memalign(size_t align, size_t size) {
  if (UNLIKELY(resolving())) return boot_alloc(size, align);
  if (!recording()) return real.memalign(align, size);
  ++t_depth;
  void* p = real.memalign(align, size);
  --t_depth;
  rec_alloc(kMemalign, size, align, p);
  return p;
}

AS_EXPORT int posix_memalign(void** out, size_t align, size_t size) {
  if (UNLIKELY(resolving())) {
    void* p = boot_alloc(size, align);
    if (!p) return ENOMEM;
    *out = p;
    return 0;
  }
  if (!recording()) return real.posix_memalign(out, align, size);
  ++t_depth;
  int rc = real.posix_memalign(out, align, size);
  --t_depth;
  rec_alloc(kPosixMemalign, size, align, rc == 0 ? *out : nullptr);
  return rc;
}

AS_EXPORT void* aligned_alloc(size_t align, size_t size) {
  if (UNLIKELY(resolving())) return boot_alloc(size, align);
  if (!recording()) return real.aligned_alloc(align, size);
  ++t_depth;
  void* p = real.aligned_alloc(align, size);
  --t_depth;
  rec_alloc(kAlignedAlloc, size, align, p);
  return p;
}

AS_EXPORT void* valloc(size_t size) {
  if (UNLIKELY(resolving())) return boot_alloc(size, 4096);
  if (!recording()) return real.valloc(size);
  ++t_depth;
  void* p = real.valloc(size);
  --t_depth;
  rec_alloc(kValloc, size, 0, p);
  return p;
}

AS_EXPORT void* pvalloc(size_t size) {
  if (UNLIKELY(resolving())) return boot_alloc((size + 4095) & ~size_t{4095}, 4096);
  if (!recording()) return real.pvalloc(size);
  ++t_depth;
  void* p = real.pvalloc(size);
  --t_depth;
  rec_alloc(kPvalloc, size, 0, p);
  return p;
}

}  // extern "C"

// ---- the C++ entry points ----------------------------------------------------------
AS_EXPORT void* operator new(size_t n) {
  return cxx_new(kNew, n, false);
}
AS_EXPORT void* operator new[](size_t n) {
  return cxx_new(kNewArray, n, false);
}
AS_EXPORT void* operator new(size_t n, const std::nothrow_t&) noexcept {
  return cxx_new(kNew, n, true);
}
AS_EXPORT void* operator new[](size_t n, const std::nothrow_t&) noexcept {
  return cxx_new(kNewArray, n, true);
}
AS_EXPORT void* operator new(size_t n, std::align_val_t a) {
  return cxx_new_aligned(kNew, n, static_cast<size_t>(a), false);
}
AS_EXPORT void* operator new[](size_t n, std::align_val_t a) {
  return cxx_new_aligned(kNewArray, n, static_cast<size_t>(a), false);
}
AS_EXPORT void* operator new(size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return cxx_new_aligned(kNew, n, static_cast<size_t>(a), true);
}
AS_EXPORT void* operator new[](size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return cxx_new_aligned(kNewArray, n, static_cast<size_t>(a), true);
}

AS_EXPORT void operator delete(void* p) noexcept {
  cxx_delete(kDelete, p, 0, 0, 0);
}
AS_EXPORT void operator delete[](void* p) noexcept {
  cxx_delete(kDeleteArray, p, 0, 0, 0);
}
AS_EXPORT void operator delete(void* p, size_t n) noexcept {
  cxx_delete(kDelete, p, n, 0, kFlagSized);
}
AS_EXPORT void operator delete[](void* p, size_t n) noexcept {
  cxx_delete(kDeleteArray, p, n, 0, kFlagSized);
}
AS_EXPORT void operator delete(void* p, const std::nothrow_t&) noexcept {
  cxx_delete(kDelete, p, 0, 0, kFlagNothrow);
}
AS_EXPORT void operator delete[](void* p, const std::nothrow_t&) noexcept {
  cxx_delete(kDeleteArray, p, 0, 0, kFlagNothrow);
}
AS_EXPORT void operator delete(void* p, std::align_val_t a) noexcept {
  cxx_delete(kDelete, p, 0, static_cast<size_t>(a), kFlagAligned);
}
AS_EXPORT void operator delete[](void* p, std::align_val_t a) noexcept {
  cxx_delete(kDeleteArray, p, 0, static_cast<size_t>(a), kFlagAligned);
}
AS_EXPORT void operator delete(void* p, size_t n, std::align_val_t a) noexcept {
  cxx_delete(kDelete, p, n, static_cast<size_t>(a), kFlagSized | kFlagAligned);
}
AS_EXPORT void operator delete[](void* p, size_t n, std::align_val_t a) noexcept {
  cxx_delete(kDeleteArray, p, n, static_cast<size_t>(a), kFlagSized | kFlagAligned);
}
AS_EXPORT void operator delete(void* p, std::align_val_t a, const std::nothrow_t&) noexcept {
  cxx_delete(kDelete, p, 0, static_cast<size_t>(a), kFlagAligned | kFlagNothrow);
}
AS_EXPORT void operator delete[](void* p, std::align_val_t a, const std::nothrow_t&) noexcept {
  cxx_delete(kDeleteArray, p, 0, static_cast<size_t>(a), kFlagAligned | kFlagNothrow);
}
