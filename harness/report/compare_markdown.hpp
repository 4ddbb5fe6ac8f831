// `allocscope compare --md FILE`: Markdown for a pull-request comment.
// Counts of verdicts, the geometric mean of the ratios per metric, a row per
// job and metric that changed or is inconclusive, the unchanged rows folded
// in <details>.
#pragma once

#include <string>

#include "harness/stats/comparison.hpp"

namespace allocscope {

class CompareMarkdown {
 public:
  static std::string render(const stats::Comparison& c, const std::string& title = "allocscope comparison");
};

}  // namespace allocscope
