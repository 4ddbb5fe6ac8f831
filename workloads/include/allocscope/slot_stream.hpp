// A thread's working set held in slots and the stream of steps it takes over
// it, drawn before the timed window: step i acts on slot[i] with a request of
// size[i] bytes. The shape of alloc-test, glibc-thread, mt-churn and rptest.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "allocscope/alloc_ops.hpp"
#include "allocscope/workload.hpp"

namespace allocscope {

// One per thread, on cache lines of its own: a thread's hot loop must not
// share a line with another thread's vector headers.
struct alignas(64) SlotStream {
  std::vector<Block> ws;
  std::vector<uint32_t> slot, size;
};

// One stream per thread of ctx, each from its thread's seed: `slots` empty
// slots, `steps` slot indices uniform over them, then `steps` sizes in
// [lo, hi] of the draw_sizes shape `dist`.
std::vector<SlotStream> draw_slot_streams(const RunContext& ctx, size_t slots, size_t steps, const std::string& dist,
                                          uint64_t lo, uint64_t hi);

// Tear-down: frees every block the streams still hold, each accounted to its
// stream's thread (not ops, not timed).
void free_slot_streams(RunContext& ctx, std::vector<SlotStream>& streams);

}  // namespace allocscope
