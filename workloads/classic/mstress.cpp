// mstress: the stress test of mimalloc-bench. `rounds` times, --threads N
// fresh threads each make 100 x scale x (tid % 8 + 1) "data" objects of
// 1-16 words and half as many "retained" ones of 1-64 words (rarely x100,
// x1000 or x10000 words), every word written; after each allocation a random
// data object is freed with chance 67% and exchanged with one of `pool`
// shared transfer slots with chance 26%; the data array grows by realloc,
// 100000 entries at a time. A thread frees what it holds when it ends and,
// between rounds, about half of the transfer slots are freed. A freed object
// is read in full first (the original checks every word). As in the
// original, thread t replays the same random sequence every round (vary=true
// draws a new one each round).
#include <atomic>
#include <thread>

#include "allocscope/alloc_ops.hpp"
#include "allocscope/rng.hpp"
#include "allocscope/workload.hpp"

namespace allocscope {
namespace {

constexpr uint64_t kCookie = 0xbf58476d1ce4e5b9ULL;

// One loop step of one thread, drawn before the window. `pick_*` are raw
// random numbers reduced modulo the array length the step sees.
struct Step {
  uint32_t words;
  bool retained, do_free, do_transfer;
  uint32_t pick_free, pick_data, pick_slot;
};

bool chance(Rng& r, unsigned percent) {
  return r.next() % 100 <= percent;
}  // percent + 1 %

uint32_t object_words(Rng& r, unsigned max_shift, bool large) {
  uint64_t words = 1ULL << (r.next() % max_shift);
  if (chance(r, 1)) words *= !large ? 100 : chance(r, 1) ? 10000 : chance(r, 10) ? 1000 : 100;
  if (words == 40) ++words;
  return static_cast<uint32_t>(words);
}

void* new_object(ThreadStats& st, uint32_t words) {
  auto* p = static_cast<uint64_t*>(a_malloc(st, words * sizeof(uint64_t)));
  for (uint64_t i = 0; i < words; ++i) p[i] = (words - i) ^ kCookie;
  return p;
}

void drop_object(ThreadStats& st, void* o) {
  if (!o) return;
  const auto* q = static_cast<const uint64_t*>(o);
  const uint64_t words = q[0] ^ kCookie;
  uint64_t bad = 0;
  for (uint64_t i = 0; i < words; ++i) bad |= (q[i] ^ kCookie) ^ (words - i);
  if (bad) out_of_memory();  // corruption: end the job rather than go on
  a_free(st, o, words * sizeof(uint64_t));
}

class Mstress : public Workload {
 public:
  void prepare(RunContext& ctx) override {
    const auto& p = ctx.params();
    rounds_ = p.u("rounds");
    pool_ = std::vector<std::atomic<void*>>(p.u("pool"));
    const size_t T = static_cast<size_t>(ctx.threads());
    vary_ = p.b("vary");
    plan_.resize(vary_ ? rounds_ * T : T);
    for (size_t i = 0; i < plan_.size(); ++i) draw_plan(plan_[i], i % T, p.u("scale"), p.b("large"), ctx.seed(), i);
    Rng rng(thread_seed(ctx.seed(), -1));
    cleanup_.assign(rounds_, {});
    for (uint64_t r = 0; r < rounds_; ++r)
      for (size_t i = 0; i < pool_.size(); ++i) cleanup_[r].push_back(chance(rng, 50) || r + 1 == rounds_);
  }

  void run(RunContext& ctx) override {
    const size_t T = static_cast<size_t>(ctx.threads());
    ctx.window_begin();
    for (uint64_t r = 0; r < rounds_; ++r) {
      std::vector<std::thread> pool;
      for (size_t t = 1; t < T; ++t)
        pool.emplace_back([&, t, r] { thread_body(ctx.stats(static_cast<int>(t)), plan(r, t, T)); });
      thread_body(ctx.stats(0), plan(r, 0, T));  // the main thread works too
      for (auto& th : pool) th.join();
      for (size_t i = 0; i < pool_.size(); ++i)
        if (cleanup_[r][i]) drop_object(ctx.stats(0), pool_[i].exchange(nullptr));
    }
    ctx.stats(0).flush();
    ctx.window_end();
  }

  void finish(RunContext& ctx) override {
    for (auto& slot : pool_) drop_object(ctx.stats(0), slot.exchange(nullptr));
  }

 private:
  static void draw_plan(std::vector<Step>& plan, size_t tid, uint64_t scale, bool large, uint64_t seed, size_t i) {
    Rng r(thread_seed(seed, static_cast<int>(i)));
    uint64_t allocs = 100 * scale * (tid % 8 + 1), retain = allocs / 2;
    plan.reserve(allocs + retain);
    while (allocs > 0 || retain > 0) {
      Step s{};
      s.retained = !(retain == 0 || (chance(r, 50) && allocs > 0));
      s.words = object_words(r, s.retained ? 7 : 5, large);
      (s.retained ? retain : allocs)--;
      s.do_free = chance(r, 66);
      s.pick_free = static_cast<uint32_t>(r.next());
      s.do_transfer = chance(r, 25);
      s.pick_data = static_cast<uint32_t>(r.next());
      s.pick_slot = static_cast<uint32_t>(r.next());
      plan.push_back(s);
    }
  }

  void thread_body(ThreadStats& st, const std::vector<Step>& steps) {
    size_t retained_n = 0, data_cap = 0, data_top = 0;
    size_t retain_cap = 0;
    for (const Step& s : steps) retain_cap += s.retained;
    auto** retained = static_cast<void**>(a_malloc(st, (retain_cap ? retain_cap : 1) * sizeof(void*)));
    void** data = nullptr;
    for (const Step& s : steps) {
      if (s.retained) {
        retained[retained_n++] = new_object(st, s.words);
      } else {
        if (data_top >= data_cap) {
          data =
              static_cast<void**>(a_realloc(st, data, data_cap * sizeof(void*), (data_cap + 100000) * sizeof(void*)));
          data_cap += 100000;
        }
        data[data_top++] = new_object(st, s.words);
      }
      if (s.do_free && data_top > 0) {
        void*& victim = data[s.pick_free % data_top];
        drop_object(st, victim);
        victim = nullptr;
      }
      if (s.do_transfer && data_top > 0) {
        void*& mine = data[s.pick_data % data_top];
        mine = pool_[s.pick_slot % pool_.size()].exchange(mine, std::memory_order_acq_rel);
      }
    }
    for (size_t i = 0; i < retained_n; ++i) drop_object(st, retained[i]);
    for (size_t i = 0; i < data_top; ++i) drop_object(st, data[i]);
    a_free(st, retained, (retain_cap ? retain_cap : 1) * sizeof(void*));
    a_free(st, data, data_cap * sizeof(void*));
    st.flush();
  }

  const std::vector<Step>& plan(uint64_t round, size_t t, size_t T) const { return plan_[vary_ ? round * T + t : t]; }

  uint64_t rounds_ = 0;
  bool vary_ = false;
  std::vector<std::atomic<void*>> pool_;
  std::vector<std::vector<Step>> plan_;
  std::vector<std::vector<bool>> cleanup_;
};

ALLOCSCOPE_WORKLOAD({
    .name = "mstress",
    .category = "classic",
    .doc = "mstress (mimalloc-bench): rounds of new threads; 8-128 B data and 8-512 B retained "
           "objects (2% x100-x10000 words), fully written and read; random frees, 26% exchanges "
           "through a shared pool, realloc-grown data arrays",
    .params = {{"rounds", ParamType::Int, "25", "rounds, new threads each", 1, 1e6},
               {"scale", ParamType::Int, "50", "load per thread: 100 x scale x (tid % 8 + 1) data objects", 1, 1e6},
               {"pool", ParamType::Int, "1000", "shared transfer slots", 1, 1e8},
               {"large", ParamType::Bool, "1", "allow the x1000 and x10000 enlargements", 0, 1},
               {"vary", ParamType::Bool, "0",
                "draw new sequences every round (default: a thread repeats its sequence each round, as the "
                "original does)",
                0, 1}},
    .multithreaded = true,
    .make = [] { return std::make_unique<Mstress>(); },
    .scale = "rounds",
});

}  // namespace
}  // namespace allocscope
