// allocscope-stress: checks an allocator's correctness under multithreaded
// load. Started by `allocscope stress` under LD_PRELOAD of the allocator.
//   allocscope-stress --threads N --seconds S --seed N [--ops N] [--no-fork]
// Every block is filled with a pattern derived from its id and checked before
// it is freed; alignment and malloc_usable_size >= request are checked on
// every allocation, realloc must keep the content, calloc must return zeros;
// some blocks are handed to other threads to free, and one thread forks while
// the others allocate (the child must be able to malloc and free).
// Each thread's operation sequence depends only on (seed, thread), so the
// first violation - reported on fd 3 as JSON and on stderr - reproduces from
// the seed. Exit status: 0 no violation, 1 violation, 2 usage.
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdarg>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "harness/worker/result_record.hpp"

namespace {

struct Options {
  int threads = 4;
  double seconds = 5;
  uint64_t seed = 42;
  uint64_t ops = 0;  // per thread; 0 = until `seconds`
  bool fork = true;
};
Options g_opt;

std::atomic<bool> g_stop{false};
std::atomic<bool> g_reported{false};
std::atomic<uint64_t> g_total_ops{0};
std::atomic<uint64_t> g_forks{0};
std::atomic<uint64_t> g_remote_frees{0};

uint64_t splitmix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

struct Rng {
  uint64_t s;
  uint64_t next() { return s = splitmix(s); }
  uint64_t below(uint64_t n) { return next() % n; }
};

// Byte i of block `id`'s pattern.
inline unsigned char pattern_byte(uint64_t id, size_t i) {
  uint64_t w = splitmix(id ^ (i / 8) * 0x100000001b3ULL);  // = pattern_word(id, i / 8), little-endian
  return static_cast<unsigned char>(w >> ((i % 8) * 8));
}

inline uint64_t pattern_word(uint64_t id, size_t w) {
  return splitmix(id ^ w * 0x100000001b3ULL);
}

void fill(void* p, size_t from, size_t to, uint64_t id) {
  auto* b = static_cast<unsigned char*>(p);
  size_t i = from;
  for (; i < to && i % 8; ++i) b[i] = pattern_byte(id, i);
  for (; i + 8 <= to; i += 8) {
    uint64_t w = pattern_word(id, i / 8);
    std::memcpy(b + i, &w, 8);
  }
  for (; i < to; ++i) b[i] = pattern_byte(id, i);
}

// Index of the first wrong byte, or SIZE_MAX.
size_t check(const void* p, size_t n, uint64_t id) {
  auto* b = static_cast<const unsigned char*>(p);
  for (size_t i = 0; i < n; i += 8) {
    uint64_t w = pattern_word(id, i / 8), got = 0;
    size_t len = n - i < 8 ? n - i : 8;
    std::memcpy(&got, b + i, len);
    if (len < 8) w &= (uint64_t{1} << (len * 8)) - 1;
    if (got != w)
      for (size_t k = i; k < i + len; ++k)
        if (b[k] != pattern_byte(id, k)) return k;
  }
  return SIZE_MAX;
}

// Reports the first violation (later ones are ignored) and stops every thread.
void violation(const char* op, size_t size, int thread, uint64_t op_index, uint64_t id, const char* fmt, ...) {
  bool expected = false;
  if (!g_reported.compare_exchange_strong(expected, true)) return;
  g_stop = true;
  char detail[512];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(detail, sizeof detail, fmt, ap);
  va_end(ap);
  char buf[1024];
  std::snprintf(buf, sizeof buf,
                "{\"ok\":false,\"violation\":{\"op\":\"%s\",\"size\":%zu,\"thread\":%d,\"op_index\":%" PRIu64
                ",\"block_id\":%" PRIu64 ",\"detail\":\"%s\"},\"seed\":%" PRIu64 ",\"threads\":%d}",
                op, size, thread, op_index, id, allocscope::json_escape(detail).c_str(), g_opt.seed, g_opt.threads);
  std::fprintf(stderr,
               "allocscope-stress: VIOLATION op=%s size=%zu thread=%d op_index=%" PRIu64 " seed=%" PRIu64 ": %s\n", op,
               size, thread, op_index, g_opt.seed, detail);
  allocscope::write_result_record(buf);
}

struct Block {
  void* p = nullptr;
  size_t size = 0;
  uint64_t id = 0;
};

// Blocks handed from one thread to another, which checks and frees them.
std::mutex g_handoff_mu;
std::deque<Block> g_handoff;

size_t pick_size(Rng& r) {
  uint64_t c = r.below(1000);
  if (c < 700) return 1 + r.below(256);
  if (c < 950) return 257 + r.below(8 * 1024);
  if (c < 995) return 8 * 1024 + r.below(256 * 1024);
  return 256 * 1024 + r.below(2 * 1024 * 1024);
}

// The alignment every malloc result must have: that of any object fitting in `size`.
size_t required_align(size_t size) {
  size_t a = alignof(std::max_align_t);
  while (a > 1 && a > size) a /= 2;
  return a;
}

struct Worker {
  int tid;
  Rng rng;
  uint64_t op = 0;
  uint64_t next_id;
  std::vector<Block> live;

  bool post_alloc(const char* what, void* p, size_t size, size_t align) {
    if (!p) {
      violation(what, size, tid, op, 0, "returned NULL (errno %d: %s)", errno, std::strerror(errno));
      return false;
    }
    if (reinterpret_cast<uintptr_t>(p) % align != 0) {
      violation(what, size, tid, op, 0, "returned %p, not aligned to %zu", p, align);
      return false;
    }
    size_t usable = malloc_usable_size(p);
    if (usable < size) {
      violation(what, size, tid, op, 0, "malloc_usable_size is %zu, less than the %zu bytes asked", usable, size);
      return false;
    }
    return true;
  }

  bool verify(const char* op_name, const Block& b) {
    size_t bad = check(b.p, b.size, b.id);
    if (bad != SIZE_MAX) {
      violation(op_name, b.size, tid, op, b.id,
                "block %p (id %" PRIu64 ", %zu bytes) corrupted at byte %zu: 0x%02x, expected 0x%02x", b.p, b.id,
                b.size, bad, static_cast<const unsigned char*>(b.p)[bad], pattern_byte(b.id, bad));
      return false;
    }
    return true;
  }

  bool allocate() {
    Block b;
    b.size = pick_size(rng);
    b.id = next_id++;
    const uint64_t kind = rng.below(100);
    size_t align = required_align(b.size);
    const char* what = "malloc";
    if (kind < 60) {
      b.p = std::malloc(b.size);
    } else if (kind < 75) {
      what = "calloc";
      size_t n = 1 + rng.below(8);
      b.size = (b.size + n - 1) / n * n;
      b.p = std::calloc(n, b.size / n);
      if (b.p && post_alloc(what, b.p, b.size, align)) {
        auto* c = static_cast<const unsigned char*>(b.p);
        for (size_t i = 0; i < b.size; ++i)
          if (c[i]) {
            violation(what, b.size, tid, op, b.id, "byte %zu of %p is 0x%02x, calloc must return zeros", i, b.p, c[i]);
            return false;
          }
      }
    } else if (kind < 85) {
      what = "posix_memalign";
      align = size_t{8} << rng.below(10);  // 8 .. 4096
      int rc = ::posix_memalign(&b.p, align, b.size);
      if (rc != 0) {
        violation(what, b.size, tid, op, b.id, "failed with %d (alignment %zu)", rc, align);
        return false;
      }
    } else if (kind < 92) {
      what = "aligned_alloc";
      align = size_t{16} << rng.below(8);
      b.size = (b.size + align - 1) / align * align;
      b.p = ::aligned_alloc(align, b.size);
    } else {
      what = "memalign";
      align = size_t{16} << rng.below(9);
      b.p = ::memalign(align, b.size);
    }
    if (!post_alloc(what, b.p, b.size, align)) return false;
    fill(b.p, 0, b.size, b.id);
    live.push_back(b);
    return true;
  }

  bool free_one(size_t i, bool handoff) {
    Block b = live[i];
    live[i] = live.back();
    live.pop_back();
    if (!verify("free", b)) return false;
    if (handoff) {
      std::lock_guard<std::mutex> g(g_handoff_mu);
      if (g_handoff.size() < 4096) {
        g_handoff.push_back(b);
        return true;
      }
    }
    std::free(b.p);
    return true;
  }

  bool reallocate(size_t i) {
    Block& b = live[i];
    if (!verify("realloc", b)) return false;
    size_t new_size = rng.below(4) == 0 ? pick_size(rng) : b.size / 2 + rng.below(b.size * 2 + 1) + 1;
    void* q = std::realloc(b.p, new_size);
    if (!q) {
      violation("realloc", new_size, tid, op, b.id, "returned NULL growing %zu to %zu bytes", b.size, new_size);
      return false;
    }
    Block nb{q, new_size, b.id};
    size_t keep = std::min(b.size, new_size);
    size_t bad = check(q, keep, b.id);
    if (bad != SIZE_MAX) {
      violation("realloc", new_size, tid, op, b.id, "content not kept: byte %zu of %zu moved from %p to %p differs",
                bad, keep, b.p, q);
      return false;
    }
    if (!post_alloc("realloc", q, new_size, required_align(new_size))) return false;
    fill(q, keep, new_size, b.id);
    b = nb;
    return true;
  }

  bool take_remote() {
    Block b;
    {
      std::lock_guard<std::mutex> g(g_handoff_mu);
      if (g_handoff.empty()) return true;
      b = g_handoff.front();
      g_handoff.pop_front();
    }
    if (!verify("remote-free", b)) return false;
    std::free(b.p);
    g_remote_frees.fetch_add(1, std::memory_order_relaxed);
    return true;
  }

  // Fork while the other threads allocate; the child must be able to malloc,
  // free and see its memory intact. A child stuck in malloc (a lock held by a
  // thread that does not exist in the child) is a violation.
  bool fork_check() {
    pid_t pid = ::fork();
    if (pid < 0) return true;  // out of processes: not the allocator's fault
    if (pid == 0) {
      for (const Block& b : live)
        if (check(b.p, b.size, b.id) != SIZE_MAX) ::_exit(3);
      std::vector<void*> ps;
      for (int i = 0; i < 2000; ++i) {
        size_t n = 1 + static_cast<size_t>(i * 37 % 5000);
        void* p = std::malloc(n);
        if (!p) ::_exit(4);
        std::memset(p, 0xab, n);
        ps.push_back(p);
        if (i % 3 == 0) {
          std::free(ps.back());
          ps.pop_back();
        }
      }
      for (void* p : ps) std::free(p);
      ::_exit(0);
    }
    int st = 0;
    for (int waited = 0; waited < 10000; waited += 5) {  // up to 10 s
      pid_t w = ::waitpid(pid, &st, WNOHANG);
      if (w == pid) {
        g_forks.fetch_add(1, std::memory_order_relaxed);
        if (WIFEXITED(st) && WEXITSTATUS(st) == 0) return true;
        if (WIFEXITED(st))
          violation("fork", 0, tid, op, 0, "the child of fork() failed: %s",
                    WEXITSTATUS(st) == 3 ? "inherited blocks were corrupted" : "malloc returned NULL");
        else
          violation("fork", 0, tid, op, 0, "the child of fork() died of signal %d (%s) in malloc/free", WTERMSIG(st),
                    strsignal(WTERMSIG(st)));
        return false;
      }
      ::usleep(5000);
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &st, 0);
    violation("fork", 0, tid, op, 0, "the child of fork() hung for 10 s in malloc/free (lock not reset after fork?)");
    return false;
  }

  void run(std::chrono::steady_clock::time_point deadline) {
    const size_t max_live = 2048;
    auto last_fork = std::chrono::steady_clock::now();
    while (!g_stop.load(std::memory_order_relaxed)) {
      if (g_opt.ops ? op >= g_opt.ops : (op % 64 == 0 && std::chrono::steady_clock::now() >= deadline)) break;
      uint64_t c = rng.below(100);
      bool ok = true;
      if (live.empty() || (c < 45 && live.size() < max_live))
        ok = allocate();
      else if (c < 75)
        ok = free_one(rng.below(live.size()), false);
      else if (c < 85)
        ok = free_one(rng.below(live.size()), g_opt.threads > 1);
      else if (c < 95)
        ok = reallocate(rng.below(live.size()));
      else
        ok = take_remote();
      if (!ok) return;
      ++op;
      if (tid == 0 && g_opt.fork && g_opt.threads > 1 && op % 256 == 0 &&
          std::chrono::steady_clock::now() - last_fork > std::chrono::milliseconds(100)) {
        if (!fork_check()) return;
        last_fork = std::chrono::steady_clock::now();
      }
    }
    g_total_ops.fetch_add(op);
    for (size_t i = live.size(); i-- > 0;)
      if (!free_one(i, false)) return;
  }
};

int usage() {
  std::fprintf(stderr,
               "usage: allocscope-stress --threads N --seconds S --seed N [--ops N] [--no-fork]\n"
               "(started by allocscope stress)\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* v = nullptr;
    if (a == "--no-fork")
      g_opt.fork = false;
    else if (a == "--threads" && (v = next()))
      g_opt.threads = std::atoi(v);
    else if (a == "--seconds" && (v = next()))
      g_opt.seconds = std::atof(v);
    else if (a == "--seed" && (v = next()))
      g_opt.seed = std::strtoull(v, nullptr, 10);
    else if (a == "--ops" && (v = next()))
      g_opt.ops = std::strtoull(v, nullptr, 10);
    else
      return usage();
  }
  if (g_opt.threads < 1 || g_opt.threads > 1024 || !(g_opt.seconds > 0)) return usage();
  const auto t0 = std::chrono::steady_clock::now();
  const auto deadline = t0 + std::chrono::microseconds(static_cast<int64_t>(g_opt.seconds * 1e6));
  std::vector<Worker> workers;
  for (int t = 0; t < g_opt.threads; ++t)
    workers.push_back(Worker{t,
                             Rng{splitmix(g_opt.seed * 1000003 + static_cast<uint64_t>(t))},
                             0,
                             (static_cast<uint64_t>(t) + 1) << 40,
                             {}});
  std::vector<std::thread> threads;
  for (auto& w : workers) threads.emplace_back([&w, deadline] { w.run(deadline); });
  for (auto& t : threads) t.join();
  // Blocks still waiting in the hand-off queue.
  Worker last{0, Rng{1}, 0, 0, {}};
  while (!g_handoff.empty() && !g_reported) last.take_remote();
  if (g_reported) return 1;
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "{\"ok\":true,\"ops\":%" PRIu64 ",\"forks\":%" PRIu64 ",\"remote_frees\":%" PRIu64
                ",\"seconds\":%.3f,\"seed\":%" PRIu64 ",\"threads\":%d}",
                g_total_ops.load(), g_forks.load(), g_remote_frees.load(), secs, g_opt.seed, g_opt.threads);
  allocscope::write_result_record(buf);
  return 0;
}
