#include "harness/stats/stopping.hpp"

#include <algorithm>

namespace allocscope::stats {

bool precision_reached(const PairedRatio& r, const StopRule& rule) {
  const size_t needed = std::max(rule.min_rounds, min_rounds_for_interval(rule.confidence));
  return r.rounds >= needed && r.has_interval && r.half_width() <= rule.precision;
}

bool round_fits(double elapsed_s, double next_round_s, const StopRule& rule) {
  return rule.max_time_s <= 0 || elapsed_s + next_round_s <= rule.max_time_s;
}

}  // namespace allocscope::stats
