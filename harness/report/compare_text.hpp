// `allocscope compare` on a terminal: one aligned row per job and metric.
#pragma once

#include <string>

#include "harness/stats/comparison.hpp"

namespace allocscope {

class CompareText {
 public:
  // all_rows=false hides unchanged rows (they are counted in the summary).
  static std::string render(const stats::Comparison& c, bool all_rows = true);
};

}  // namespace allocscope
