#include "allocscope/slot_stream.hpp"

#include "allocscope/rng.hpp"
#include "allocscope/size_dist.hpp"

namespace allocscope {

std::vector<SlotStream> draw_slot_streams(const RunContext& ctx, size_t slots, size_t steps, const std::string& dist,
                                          uint64_t lo, uint64_t hi) {
  std::vector<SlotStream> streams(static_cast<size_t>(ctx.threads()));
  for (size_t t = 0; t < streams.size(); ++t) {
    Rng rng(thread_seed(ctx.seed(), static_cast<int>(t)));
    SlotStream& s = streams[t];
    s.ws.assign(slots, Block{});
    s.slot.resize(steps);
    for (auto& k : s.slot) k = static_cast<uint32_t>(rng.uniform(0, slots - 1));
    s.size = draw_sizes(rng, steps, dist, lo, hi);
  }
  return streams;
}

void free_slot_streams(RunContext& ctx, std::vector<SlotStream>& streams) {
  for (size_t t = 0; t < streams.size(); ++t) free_blocks(ctx.stats(static_cast<int>(t)), streams[t].ws);
}

}  // namespace allocscope
