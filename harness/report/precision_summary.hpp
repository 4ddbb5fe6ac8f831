// The precision block printed under the table of a precision-driven run:
// each comparison's paired ratio to the baseline with its interval, the
// rounds it took, and the ones that did not reach the target.
#pragma once

#include <string>

#include "harness/results/record_json.hpp"

namespace allocscope {

// "" when the context has no "precision" object (a run with fixed --reps).
std::string precision_summary(const json& context);

}  // namespace allocscope
