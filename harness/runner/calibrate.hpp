// Windows long enough to measure (allocscope run --min-window MS): before the
// rounds, each in-process workload's work count (its declared scale
// parameter) grows until one run with the first allocator has a timed window
// of at least the minimum, once per workload selection and thread count. The
// calibrated values become explicit parameters of the selections, so every
// allocator runs the same inputs and the job keys carry them. A parameter
// the user gave is never changed; workloads without a scale parameter (whole
// programs, memory-shape pathologies, fixed-duration loads) are left alone.
#pragma once

#include <nlohmann/json.hpp>

#include "harness/runner/plan.hpp"
#include "harness/runner/runner.hpp"

namespace allocscope {

struct CalibrationOptions {
  double min_window_s = 0.2;
  int max_runs = 6;         // measurements per workload and thread count
  double headroom = 1.25;   // aim this much above the minimum when growing
  double max_growth = 100;  // at most this factor per step
};

// Runs the calibration jobs and returns context.calibration: an array of
// {selection, workload, threads, param, from, to, window_s, runs, reached,
// note}. `req` is not changed; apply_calibration does that.
nlohmann::ordered_json calibrate_windows(const PlanRequest& req, const RunOptions& opt, const CalibrationOptions& c);

// Sets the calibrated values in `req`'s selections, splitting a selection
// with several thread counts into one per thread count (in the same order,
// so the job matrix keeps its order). Throws InputError when `calibration`
// does not fit the selections (a resumed run whose suite changed).
void apply_calibration(PlanRequest& req, const nlohmann::ordered_json& calibration);

}  // namespace allocscope
