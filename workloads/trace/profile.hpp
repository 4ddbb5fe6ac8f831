// Allocation profiles for the profile-load workload: the size distribution
// and the lifetime distribution of a recorded trace (or of a built-in table
// computed from one), and a sampler drawing from them.
//
// Lifetime is counted in allocation operations: the number of allocations
// (realloc included) made after a block's allocation up to its free, in the
// trace's global order. A lifetime of 0 means freed before the next
// allocation. Blocks the trace never frees live to the end ("immortal").
//
// Values (sizes, lifetimes) are kept in buckets: each value the sampler may
// draw lies in a bin [lo, hi]; a bin has an exact value (lo == hi) or spans a
// quarter of a power-of-two range whose upper end is a power of two, so the
// share of values <= 2^k (the `trace info` histogram) is preserved exactly.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "allocscope/rng.hpp"
#include "trace/format/trace_io.hpp"

namespace allocscope::profile {

struct Bin {
  uint64_t lo = 0, hi = 0;  // values in [lo, hi], drawn uniformly
  uint64_t count = 0;
};

struct Profile {
  std::string name;
  uint64_t allocs = 0;            // allocations in the source (scale 1)
  std::vector<Bin> sizes;         // requested bytes, every allocation
  std::vector<Bin> lifetimes;     // lifetimes in allocations, freed blocks only
  uint64_t immortal = 0;          // blocks never freed (live to the end)
  uint64_t source_peak_live = 0;  // the source's peak live requested bytes
};

// The quarter-octave bin holding v: [lo, hi] with v in it.
Bin bin_of(uint64_t v);

// Sizes and lifetimes of a trace, in global order (the order `trace info`
// uses). Sizes that make up at least `exact_share` of the allocations each
// keep an exact bin (allocators' size classes care about exact sizes).
Profile profile_from_trace(const trace::Trace& t, double exact_share = 0.005);
// Reads a trace file (path as given, else under the source tree) into a
// profile; throws ParamError naming the workload on a missing or bad file.
Profile profile_from_file(const std::string& path, const std::string& workload);
// A path as given, else relative to `source_dir` (where the shipped traces
// are); throws ParamError naming `workload` when neither exists.
std::string resolve_trace_path(const std::string& path, const std::string& source_dir, const std::string& workload);

// Built-in profiles (nullptr: no such name).
const Profile* builtin(const std::string& name);
std::vector<std::string> builtin_names();

// Draws sizes and lifetimes from a profile by inverse CDF over its bins.
class Sampler {
 public:
  static constexpr uint64_t kForever = UINT64_MAX;
  explicit Sampler(const Profile& p);
  uint64_t size(Rng& r) const { return draw(size_cum_, size_bins_, r); }
  // A lifetime in allocations, or kForever for a block never freed.
  uint64_t lifetime(Rng& r) const;

 private:
  static uint64_t draw(const std::vector<uint64_t>& cum, const std::vector<Bin>& bins, Rng& r);
  std::vector<Bin> size_bins_, life_bins_;
  std::vector<uint64_t> size_cum_, life_cum_;
  uint64_t immortal_ = 0;
};

}  // namespace allocscope::profile
