#include "workloads/trace/profile.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <unordered_map>
#include <utility>

#include "allocscope/params.hpp"

namespace allocscope::profile {

using namespace tracefmt;

Bin bin_of(uint64_t v) {
  if (v <= 16) return {v, v, 0};
  const uint64_t x = v - 1;  // bins end on powers of two: (2^k, 2^k + 2^(k-2)], ...
  const int k = 63 - __builtin_clzll(x);
  if (k >= 61) return {v, v, 0};
  const uint64_t sub = (x >> (k - 2)) & 3;
  return {((4 + sub) << (k - 2)) + 1, (5 + sub) << (k - 2), 0};
}

namespace {

// The walk over a trace in global order: live blocks by address, with their
// allocation index and size.
struct Walk {
  struct Live {
    uint64_t index, size;
  };
  std::unordered_map<uint64_t, Live> live;
  std::map<uint64_t, uint64_t> sizes;                      // exact size -> allocations
  std::map<std::pair<uint64_t, uint64_t>, uint64_t> life;  // bin -> freed blocks
  uint64_t allocs = 0, immortal = 0;
  int64_t cur = 0, peak = 0;

  void release(uint64_t p) {
    auto it = live.find(p);
    if (it == live.end()) return;  // allocated before recording started
    const Bin b = bin_of(allocs - it->second.index - 1);
    ++life[{b.lo, b.hi}];
    cur -= static_cast<int64_t>(it->second.size);
    live.erase(it);
  }
  void acquire(uint64_t p, uint64_t size) {
    ++sizes[size];
    auto [it, fresh] = live.try_emplace(p, Live{allocs, size});
    if (!fresh) {  // a live address reused: the free was not seen, the old block never ends
      ++immortal;
      cur -= static_cast<int64_t>(it->second.size);
      it->second = Live{allocs, size};
    }
    ++allocs;
    cur += static_cast<int64_t>(size);
    peak = std::max(peak, cur);
  }
};

// The trace's events in global order; a realloc releases its input at the
// sequence number taken before the call (code: event index * 2 + 1, or * 2
// for that release half).
std::vector<uint32_t> global_order(const trace::Trace& t) {
  std::vector<std::pair<uint64_t, uint32_t>> points;
  points.reserve(t.events.size() + 16);
  for (size_t i = 0; i < t.events.size(); ++i) {
    const trace::Event& e = t.events[i];
    if (op_reallocs(e.op) && e.old_ptr != 0) points.emplace_back((e.seq - e.seq_gap) * 2, static_cast<uint32_t>(i * 2));
    points.emplace_back(e.seq * 2 + 1, static_cast<uint32_t>(i * 2 + 1));
  }
  std::sort(points.begin(), points.end());
  std::vector<uint32_t> codes(points.size());
  for (size_t i = 0; i < points.size(); ++i) codes[i] = points[i].second;
  return codes;
}

// Exact bins for the frequent sizes, quarter-octave bins for the rest.
std::vector<Bin> size_bins(const std::map<uint64_t, uint64_t>& sizes, uint64_t allocs, double exact_share) {
  std::map<std::pair<uint64_t, uint64_t>, uint64_t> bins;
  for (const auto& [s, n] : sizes) {
    const bool exact = static_cast<double>(n) >= exact_share * static_cast<double>(allocs);
    const Bin b = exact ? Bin{s, s, 0} : bin_of(s);
    bins[{b.lo, b.hi}] += n;
  }
  std::vector<Bin> out;
  for (const auto& [r, n] : bins) out.push_back({r.first, r.second, n});
  return out;
}

}  // namespace

Profile profile_from_trace(const trace::Trace& t, double exact_share) {
  Walk w;
  for (uint32_t code : global_order(t)) {
    const trace::Event& e = t.events[code / 2];
    if ((code & 1) == 0) {
      if (!(e.ptr == 0 && e.requested() > 0)) w.release(e.old_ptr);  // a failed realloc frees nothing
      continue;
    }
    if (op_frees(e.op) && e.ptr != 0)
      w.release(e.ptr);
    else if (op_allocates(e.op) && e.ptr != 0)
      w.acquire(e.ptr, e.requested());
  }
  Profile p;
  p.name = t.header.program;
  p.allocs = w.allocs;
  p.sizes = size_bins(w.sizes, w.allocs, exact_share);
  for (const auto& [r, n] : w.life) p.lifetimes.push_back({r.first, r.second, n});
  p.immortal = w.immortal + w.live.size();
  p.source_peak_live = static_cast<uint64_t>(w.peak);
  return p;
}

std::string resolve_trace_path(const std::string& path, const std::string& source_dir, const std::string& workload) {
  namespace fs = std::filesystem;
  if (path.empty()) throw ParamError(fmt::format("{}: a trace path is required", workload));
  std::error_code ec;
  if (path[0] == '/' || fs::exists(path, ec)) return path;
  std::string alt = source_dir + "/" + path;
  if (fs::exists(alt, ec)) return alt;
  throw ParamError(
      fmt::format("{}: path '{}' not found (relative to the current directory or to {})", workload, path, source_dir));
}

Profile profile_from_file(const std::string& path, const std::string& workload) {
  try {
    return profile_from_trace(trace::read_trace_file(path));
  } catch (const std::exception& e) {
    throw ParamError(fmt::format("{}: {}", workload, e.what()));
  }
}

Sampler::Sampler(const Profile& p) : size_bins_(p.sizes), life_bins_(p.lifetimes), immortal_(p.immortal) {
  uint64_t c = 0;
  for (const Bin& b : size_bins_) size_cum_.push_back(c += b.count);
  c = 0;
  for (const Bin& b : life_bins_) life_cum_.push_back(c += b.count);
  if (size_cum_.empty() || size_cum_.back() == 0) throw ParamError("profile " + p.name + ": no allocations");
}

uint64_t Sampler::draw(const std::vector<uint64_t>& cum, const std::vector<Bin>& bins, Rng& r) {
  const uint64_t x = r.next() % cum.back();
  const size_t i = static_cast<size_t>(std::upper_bound(cum.begin(), cum.end(), x) - cum.begin());
  const Bin& b = bins[i];
  return b.lo == b.hi ? b.lo : b.lo + r.next() % (b.hi - b.lo + 1);
}

uint64_t Sampler::lifetime(Rng& r) const {
  const uint64_t freed = life_cum_.empty() ? 0 : life_cum_.back();
  if (freed + immortal_ == 0) return kForever;
  if (r.next() % (freed + immortal_) >= freed) return kForever;
  return draw(life_cum_, life_bins_, r);
}

}  // namespace allocscope::profile
