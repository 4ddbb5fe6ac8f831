// trace: replays a recorded allocation trace (allocscope record / trace
// convert) under the allocator being measured. One replay thread per recorded
// thread keeps that thread's order; a block freed by another thread than the
// one that allocated it waits until the allocation happened; a thread starts
// only once every event recorded before its start was replayed. Addresses are
// mapped to dense block ids in prepare(); memory is written after allocation.
#include <fcntl.h>
#include <fmt/format.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <new>
#include <thread>
#include <unordered_map>

#include "allocscope/exit_codes.hpp"
#include "allocscope/workload.hpp"
#include "trace/format/trace_io.hpp"
#include "workloads/trace/profile.hpp"

#ifndef ALLOCSCOPE_SOURCE_DIR
#define ALLOCSCOPE_SOURCE_DIR "."
#endif

namespace allocscope {
namespace {

using namespace tracefmt;

// A path as given, else relative to the source tree (shipped traces).
std::string resolve_trace_path(const std::string& p) {
  if (p.empty()) throw ParamError("trace: parameter path=FILE is required (a trace from 'allocscope record')");
  return profile::resolve_trace_path(p, ALLOCSCOPE_SOURCE_DIR, "trace");
}

void validate_trace(const Params& p) {
  std::string path = resolve_trace_path(p.s("path"));
  try {
    trace::read_trace_header(path);
  } catch (const std::exception& e) {
    throw ParamError(fmt::format("trace: {}", e.what()));
  }
}

constexpr uint32_t kNoId = 0xffffffffu;
// ROp flags
constexpr uint8_t kWaitOld = 1;   // the block consumed was allocated by another thread
constexpr uint8_t kNotify = 2;    // the block produced is consumed by another thread
constexpr uint8_t kMarkPeak = 4;  // the trace's live peak is reached after this op
constexpr uint8_t kAsFree = 8;    // realloc(p, 0) that freed p: replayed as free(p)

struct ROp {
  uint8_t op;               // tracefmt::Op
  uint8_t cflags;           // tracefmt flag bits (nothrow, sized, aligned)
  uint8_t flags;            // kWaitOld | kNotify | kMarkPeak | kAsFree
  uint32_t id = kNoId;      // block produced (allocations) or consumed (frees)
  uint32_t old_id = kNoId;  // realloc input
  uint64_t size = 0;        // requested bytes (calloc: per element)
  uint64_t nmemb = 0;
  uint64_t align = 0;
  uint64_t ts = 0;
};

void* const kEmptyBlock = reinterpret_cast<void*>(uintptr_t{1});  // a NULL result of a 0-byte request

struct alignas(64) Progress {
  std::atomic<uint64_t> done{0};
};

class TraceReplay : public Workload {
 public:
  // Reads the trace and turns it into per-thread op lists, block slots and
  // thread start conditions (untimed, from prepare()).
  void load(RunContext& ctx) {
    const trace::Trace t = read_trace(ctx);
    const trace::Summary sum = trace::summarize(t);
    ctx.report("trace_ideal_peak_bytes", static_cast<double>(sum.peak_live_bytes));
    const std::vector<int> thread_of = map_threads(t);
    BlockMap blocks(t.events.size());
    for (const Point& pt : global_order(t)) place_event(t, pt, thread_of, sum.peak_seq, blocks);
    mark_cross_thread(blocks);
    renumber_blocks(blocks.owner);
    compute_thread_starts(t, thread_of, blocks.op_index);
    progress_ = std::make_unique<Progress[]>(static_cast<size_t>(nthreads_));
    ctx.report("trace_skipped_ops", static_cast<double>(skipped_));
    ctx.ensure_thread_slots(nthreads_);
  }

  // The decoded trace is far larger than the replayed heap: release it and
  // reset the peak-RSS mark (VmHWM, "5" > clear_refs) so peak_rss_bytes
  // measures the replay, not the loading.
  void prepare(RunContext& ctx) override {
    load(ctx);
    int fd = ::open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
    if (fd >= 0) {
      ssize_t ignored = ::write(fd, "5", 1);
      (void)ignored;
      ::close(fd);
    }
  }

  void run(RunContext& ctx) override {
    start_ns_.store(0);
    ctx.parallel(nthreads_, [&](int tid) { replay_thread(ctx, tid); });
  }

  void finish(RunContext& ctx) override {
    // Blocks the trace never freed.
    for (uint32_t id = 0; id < size_.size(); ++id) {
      if (freed_[id]) continue;
      void* p = slots_[id].load(std::memory_order_relaxed);
      if (!p) continue;
      ctx.stats(static_cast<int>(slot_owner_[id])).on_free(p == kEmptyBlock ? nullptr : p, size_[id]);
      if (!null_) release(kind_[id], p, size_[id], align_[id]);
      slots_[id].store(nullptr);
    }
  }

 private:
  // The state of the walk over the trace in global order.
  struct BlockMap {
    explicit BlockMap(size_t events) : op_index(events, -1), old_of(events, kNoId) { live.reserve(1 << 16); }
    std::unordered_map<uint64_t, uint32_t> live;  // address -> id
    std::vector<uint32_t> owner;                  // id -> replay thread that allocated it
    std::vector<uint32_t> consumer;               // id -> replay thread that frees it (kNoId: never)
    std::vector<int64_t> op_index;                // event -> index in its thread's op list (-1: skipped)
    std::vector<uint32_t> old_of;                 // realloc event -> id of its input
  };
  // A point of the global order: its sequence number * 2, + 1 for the event
  // itself, + 0 for the release half of a realloc (taken before the call); in
  // 128 bits, since a sequence number may use all 64 (doubled in 64 bits, one
  // of 2^63 or more wrapped around and the walk disagreed with the thread
  // start order: the replay threads waited for each other forever).
  struct Point {
    unsigned __int128 key;
    uint32_t index;
  };

  trace::Trace read_trace(RunContext& ctx) {
    const Params& p = ctx.params();
    path_ = resolve_trace_path(p.s("path"));
    timing_ = p.s("timing") == "as-recorded";
    null_ = p.b("null");
    touch_ = p.b("touch");
    trace::Trace t;
    try {
      t = trace::read_trace_file(path_);
    } catch (const std::exception& e) {
      throw ParamError(fmt::format("trace: {}", e.what()));
    }
    if (t.header.flags & kFlagNoTiming) timing_ = false;
    page_ = t.header.page_size;
    return t;
  }

  // Replay threads: the recorded threads that have events, in index order.
  // Returns recorded thread -> replay thread (-1: none); sets nthreads_, ops_.
  std::vector<int> map_threads(const trace::Trace& t) {
    std::vector<int> thread_of(t.threads, -1);
    for (const auto& e : t.events)
      if (thread_of[e.thread] < 0) thread_of[e.thread] = 0;
    nthreads_ = 0;
    for (auto& v : thread_of)
      if (v >= 0) v = nthreads_++;
    if (nthreads_ == 0) nthreads_ = 1;
    ops_.assign(static_cast<size_t>(nthreads_), {});
    return thread_of;
  }

  // The trace in global order: a realloc releases its input at the sequence
  // number taken before the call.
  static std::vector<Point> global_order(const trace::Trace& t) {
    std::vector<Point> points;
    points.reserve(t.events.size() + 16);
    for (uint32_t i = 0; i < t.events.size(); ++i) {
      const auto& e = t.events[i];
      if (op_reallocs(e.op) && e.old_ptr != 0)
        points.push_back({static_cast<unsigned __int128>(e.seq - e.seq_gap) * 2, i * 2});
      points.push_back({static_cast<unsigned __int128>(e.seq) * 2 + 1, i * 2 + 1});
    }
    std::sort(points.begin(), points.end(), [](const Point& a, const Point& b) { return a.key < b.key; });
    return points;
  }

  // One point of the walk: gives every block an id and appends the event's op
  // to its replay thread's list, or counts it as skipped.
  void place_event(const trace::Trace& t, const Point& pt, const std::vector<int>& thread_of, uint64_t peak_seq,
                   BlockMap& b) {
    const uint32_t ei = pt.index / 2;
    const auto& e = t.events[ei];
    const uint32_t rt = static_cast<uint32_t>(thread_of[e.thread]);
    if ((pt.index & 1) == 0) {  // realloc: release half
      const bool failed = e.ptr == 0 && e.requested() > 0;
      auto it = b.live.find(e.old_ptr);
      if (!failed && it != b.live.end()) {
        b.old_of[ei] = it->second;
        b.consumer[it->second] = rt;
        b.live.erase(it);
      }
      return;
    }
    auto& list = ops_[rt];
    ROp r{.op = e.op, .cflags = e.flags, .flags = 0, .size = e.size, .nmemb = e.nmemb, .align = e.align, .ts = e.ts};
    if (e.op == kThreadStart || e.op == kThreadExit) {
      ++lifetime_events_;
    } else if (!resolve_blocks(e, ei, rt, r, b)) {
      ++skipped_;
      return;
    }
    list.push_back(r);
    b.op_index[ei] = static_cast<int64_t>(list.size() - 1);
    if (e.op != kThreadStart && e.op != kThreadExit && e.seq == peak_seq) list.back().flags |= kMarkPeak;
  }

  // Sets the ids an op consumes and produces; false when the op cannot be
  // replayed (a block allocated before recording started, a failed call).
  static bool resolve_blocks(const trace::Event& e, uint32_t ei, uint32_t rt, ROp& r, BlockMap& b) {
    if (op_frees(e.op)) {
      if (e.ptr != 0) {
        auto it = b.live.find(e.ptr);
        if (it == b.live.end()) return false;  // freed block allocated before recording started
        r.id = it->second;
        b.consumer[it->second] = rt;
        b.live.erase(it);
      }
    } else if (op_reallocs(e.op)) {
      r.old_id = b.old_of[ei];
      // Input unknown (allocated before recording) or a failed realloc.
      if (e.old_ptr != 0 && r.old_id == kNoId) return false;
      if (e.ptr == 0) {
        if (r.old_id == kNoId || e.requested() > 0) return false;
        r.flags |= kAsFree;  // realloc(p, 0) freed p
      }
    } else if (e.ptr == 0) {
      return false;  // a failed allocation
    }
    if (op_allocates(e.op) && e.ptr != 0) {
      r.id = static_cast<uint32_t>(b.owner.size());
      b.owner.push_back(rt);
      b.consumer.push_back(kNoId);
      b.live[e.ptr] = r.id;  // a still-live address reused means a free we did not see: the old block leaks
    }
    return true;
  }

  // Cross-thread edges: wait for a block another thread allocates, notify the
  // thread that frees a block this one allocated.
  void mark_cross_thread(const BlockMap& b) {
    for (int rt = 0; rt < nthreads_; ++rt)
      for (ROp& r : ops_[static_cast<size_t>(rt)]) {
        uint32_t in = op_frees(r.op) ? r.id : r.old_id;
        if (in != kNoId && b.owner[in] != static_cast<uint32_t>(rt)) r.flags |= kWaitOld;
        if (op_allocates(r.op) && r.id != kNoId && b.consumer[r.id] != kNoId &&
            b.consumer[r.id] != static_cast<uint32_t>(rt))
          r.flags |= kNotify;
      }
  }

  // Renumbers ids so that each thread's blocks are contiguous (no false
  // sharing between threads on the slot array) and sizes the block tables.
  void renumber_blocks(const std::vector<uint32_t>& owner) {
    std::vector<uint32_t> count(static_cast<size_t>(nthreads_), 0), base(static_cast<size_t>(nthreads_) + 1, 0);
    for (uint32_t o : owner) ++count[o];
    for (int i = 0; i < nthreads_; ++i) base[i + 1] = base[i] + count[i];
    std::vector<uint32_t> remap(owner.size());
    std::fill(count.begin(), count.end(), 0);
    for (uint32_t id = 0; id < owner.size(); ++id) remap[id] = base[owner[id]] + count[owner[id]]++;
    size_.assign(owner.size(), 0);
    kind_.assign(owner.size(), 0);
    align_.assign(owner.size(), 0);
    freed_.assign(owner.size(), 0);
    slot_owner_.resize(owner.size());
    for (uint32_t id = 0; id < owner.size(); ++id) slot_owner_[remap[id]] = owner[id];
    for (auto& list : ops_)
      for (ROp& r : list) {
        if (r.id != kNoId) r.id = remap[r.id];
        if (r.old_id != kNoId) r.old_id = remap[r.old_id];
        if (op_allocates(r.op) && r.id != kNoId) {
          size_[r.id] = r.op == kCalloc || r.op == kReallocarray ? r.nmemb * r.size : r.size;
          kind_[r.id] = static_cast<uint8_t>(r.op | r.cflags);
          align_[r.id] = r.align;
        }
        if (r.old_id != kNoId) freed_[r.old_id] = 1;
        if (op_frees(r.op) && r.id != kNoId) freed_[r.id] = 1;
      }
    slots_ = std::make_unique<std::atomic<void*>[]>(owner.size() ? owner.size() : 1);
  }

  // Thread lifetimes: a thread starts once every event recorded before its
  // first one was replayed (per-thread prefix counts at that point).
  void compute_thread_starts(const trace::Trace& t, const std::vector<int>& thread_of,
                             const std::vector<int64_t>& op_index) {
    starts_.assign(static_cast<size_t>(nthreads_), {});
    std::vector<uint64_t> first_seq(static_cast<size_t>(nthreads_), UINT64_MAX);
    std::vector<uint64_t> seen(static_cast<size_t>(nthreads_), 0);
    for (const auto& e : t.events) {
      int rt = thread_of[e.thread];
      if (first_seq[rt] == UINT64_MAX) first_seq[rt] = e.seq;
    }
    // Events in seq order; count, per thread, replayed ops before each start.
    std::vector<std::pair<uint64_t, int>> starts;
    for (int rt = 0; rt < nthreads_; ++rt) starts.emplace_back(first_seq[rt], rt);
    std::sort(starts.begin(), starts.end());
    size_t si = 0;
    for (size_t i = 0; i <= t.events.size() && si < starts.size(); ++i) {
      const uint64_t seq = i < t.events.size() ? t.events[i].seq : UINT64_MAX;
      while (si < starts.size() && starts[si].first <= seq) {
        int rt = starts[si].second;
        for (int u = 0; u < nthreads_; ++u)
          if (u != rt && seen[u] > 0) starts_[rt].emplace_back(u, seen[u]);
        ++si;
      }
      if (i < t.events.size() && op_index[i] >= 0) ++seen[thread_of[t.events[i].thread]];
    }
  }
  static uint64_t now_ns() {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
  }

  void wait_ready(uint32_t id) {
    std::atomic<void*>& s = slots_[id];
    for (int i = 0; i < 256; ++i) {
      if (s.load(std::memory_order_acquire)) return;
      __builtin_ia32_pause();
    }
    while (!s.load(std::memory_order_acquire)) s.wait(nullptr, std::memory_order_acquire);
  }

  void wait_start(int tid) {
    for (const auto& [u, n] : starts_[static_cast<size_t>(tid)]) {
      int spins = 0;
      while (progress_[u].done.load(std::memory_order_acquire) < n) {
        if (++spins < 64)
          __builtin_ia32_pause();
        else if (spins < 256)
          std::this_thread::yield();
        else {
          struct timespec d {
            0, 20000
          };
          nanosleep(&d, nullptr);
        }
      }
    }
  }

  // Frees a block the way it was allocated.
  void release(uint8_t kind, void* p, uint64_t size, uint64_t align) {
    if (p == kEmptyBlock) return;
    const uint8_t op = kind & 0x1f;
    const bool aligned = kind & kFlagAligned;
    if (op == kNew) {
      if (aligned)
        ::operator delete(p, static_cast<std::align_val_t>(align));
      else
        ::operator delete(p);
    } else if (op == kNewArray) {
      if (aligned)
        ::operator delete[](p, static_cast<std::align_val_t>(align));
      else
        ::operator delete[](p);
    } else {
      std::free(p);
    }
    (void)size;
  }

  void* allocate(const ROp& r) {
    const bool nothrow = r.cflags & kFlagNothrow;
    const bool aligned = r.cflags & kFlagAligned;
    switch (r.op) {
      case kMalloc:
        return std::malloc(r.size);
      case kCalloc:
        return std::calloc(r.nmemb, r.size);
      case kMemalign:
      case kPosixMemalign: {
        void* p = nullptr;
        size_t a = r.align < sizeof(void*) ? sizeof(void*) : r.align;
        return posix_memalign(&p, a, r.size) == 0 ? p : nullptr;
      }
      case kAlignedAlloc:
        return aligned_alloc(r.align, r.size);
      // valloc/pvalloc: not every allocator exports them; same request through posix_memalign.
      case kValloc:
      case kPvalloc: {
        void* p = nullptr;
        size_t n = r.op == kPvalloc ? (r.size + page_ - 1) / page_ * page_ : r.size;
        return posix_memalign(&p, page_, n) == 0 ? p : nullptr;
      }
      case kNew:
        if (aligned)
          return nothrow ? ::operator new(r.size, static_cast<std::align_val_t>(r.align), std::nothrow)
                         : ::operator new(r.size, static_cast<std::align_val_t>(r.align));
        return nothrow ? ::operator new(r.size, std::nothrow) : ::operator new(r.size);
      case kNewArray:
        if (aligned)
          return nothrow ? ::operator new[](r.size, static_cast<std::align_val_t>(r.align), std::nothrow)
                         : ::operator new[](r.size, static_cast<std::align_val_t>(r.align));
        return nothrow ? ::operator new[](r.size, std::nothrow) : ::operator new[](r.size);
      default:
        return nullptr;
    }
  }

  void free_op(const ROp& r, void* p) {
    if (p == kEmptyBlock) return;
    const bool sized = r.cflags & kFlagSized, aligned = r.cflags & kFlagAligned;
    const auto al = static_cast<std::align_val_t>(r.align);
    switch (r.op) {
      case kDelete:
        if (sized && aligned)
          ::operator delete(p, r.size, al);
        else if (sized)
          ::operator delete(p, r.size);
        else if (aligned)
          ::operator delete(p, al);
        else
          ::operator delete(p);
        break;
      case kDeleteArray:
        if (sized && aligned)
          ::operator delete[](p, r.size, al);
        else if (sized)
          ::operator delete[](p, r.size);
        else if (aligned)
          ::operator delete[](p, al);
        else
          ::operator delete[](p);
        break;
      default:
        std::free(p);
    }
  }

  void publish(const ROp& r, void* p) {
    slots_[r.id].store(p, std::memory_order_release);
    if (r.flags & kNotify) slots_[r.id].notify_all();
  }

  // The time the replay started: the first thread to get here sets it.
  uint64_t replay_start_ns() {
    uint64_t expected = 0;
    start_ns_.compare_exchange_strong(expected, now_ns());
    return start_ns_.load();
  }

  // With timing, sleeps until the op's recorded time (unless it is under 20 us away).
  static void sleep_until(uint64_t due) {
    if (due <= now_ns() + 20000) return;
    struct timespec ts {
      static_cast<time_t>(due / 1000000000ull), static_cast<long>(due % 1000000000ull)
    };
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr);
  }

  void replay_free(ThreadStats& st, const ROp& r) {
    if (r.id == kNoId) {
      if (!null_) free_op(r, nullptr);
      return;
    }
    if (r.flags & kWaitOld) wait_ready(r.id);
    void* p = slots_[r.id].load(std::memory_order_relaxed);
    st.on_free(p == kEmptyBlock ? nullptr : p, size_[r.id]);
    if (!null_) free_op(r, p);
  }

  // A block from an allocation or realloc call: out of memory when a non-empty
  // request failed, touched when asked, counted and published.
  void place_block(ThreadStats& st, const ROp& r, void* p, uint64_t bytes, uint64_t n) {
    if (null_) {
      p = kEmptyBlock;
    } else {
      if (!p) {
        if (bytes) out_of_memory();
        p = kEmptyBlock;
      }
      if (touch_ && p != kEmptyBlock) touch(p, bytes, static_cast<unsigned char>(n));
    }
    st.on_alloc(p == kEmptyBlock ? nullptr : p, bytes);
    publish(r, p);
  }

  void replay_realloc(ThreadStats& st, const ROp& r, uint64_t n) {
    void* old = nullptr;
    if (r.old_id != kNoId) {
      if (r.flags & kWaitOld) wait_ready(r.old_id);
      old = slots_[r.old_id].load(std::memory_order_relaxed);
      st.on_free(old == kEmptyBlock ? nullptr : old, size_[r.old_id]);
    }
    if (r.flags & kAsFree) {
      if (!null_ && old != kEmptyBlock) std::free(old);
      return;
    }
    const uint64_t bytes = size_[r.id];
    void* p = null_ ? nullptr : std::realloc(old == kEmptyBlock ? nullptr : old, bytes);
    place_block(st, r, p, bytes, n);
  }

  void replay_thread(RunContext& ctx, int tid) {
    ThreadStats& st = ctx.stats(tid);
    const auto& list = ops_[static_cast<size_t>(tid)];
    auto& done = progress_[tid].done;
    wait_start(tid);
    const uint64_t t0 = timing_ ? replay_start_ns() : 0;
    uint64_t n = 0;
    for (const ROp& r : list) {
      if (timing_) sleep_until(t0 + r.ts);
      if (r.op == kThreadStart || r.op == kThreadExit) {
        done.store(++n, std::memory_order_release);
        continue;
      }
      if (op_frees(r.op))
        replay_free(st, r);
      else if (op_reallocs(r.op))
        replay_realloc(st, r, n);
      else
        place_block(st, r, null_ ? nullptr : allocate(r), size_[r.id], n);
      st.add_ops();
      done.store(++n, std::memory_order_release);
      if (r.flags & kMarkPeak) ctx.mark_peak();
    }
  }

  std::string path_;
  bool timing_ = false, null_ = false, touch_ = true;
  uint64_t page_ = 4096;
  int nthreads_ = 1;
  uint64_t skipped_ = 0, lifetime_events_ = 0;
  std::vector<std::vector<ROp>> ops_;
  std::vector<uint64_t> size_, align_;
  std::vector<uint8_t> kind_, freed_;
  std::vector<uint32_t> slot_owner_;
  std::unique_ptr<std::atomic<void*>[]> slots_;
  std::vector<std::vector<std::pair<int, uint64_t>>> starts_;
  std::unique_ptr<Progress[]> progress_;
  std::atomic<uint64_t> start_ns_{0};
};

ALLOCSCOPE_WORKLOAD({
    .name = "trace",
    .category = "trace",
    .doc = "replays a recorded allocation trace (allocscope record), one thread per recorded "
           "thread, cross-thread frees synchronised; real programs' allocation patterns",
    .params = {{"path", ParamType::String, "", "trace file (relative paths also tried under the source tree)"},
               {"timing",
                ParamType::String,
                "none",
                "as-recorded: honour the recorded gaps; none: back to back",
                -std::numeric_limits<double>::infinity(),
                std::numeric_limits<double>::infinity(),
                {"as-recorded", "none"}},
               {"null", ParamType::Bool, "0", "walk the trace without allocating (replayer overhead)"},
               {"touch", ParamType::Bool, "1", "write to allocated memory"}},
    .multithreaded = false,
    .make = [] { return std::make_unique<TraceReplay>(); },
    .validate = validate_trace,
});

}  // namespace
}  // namespace allocscope
