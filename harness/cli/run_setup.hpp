// The parsed form of `allocscope run` arguments: options, plan request and
// jobs. Used by `run` and, to re-run suspect jobs of a recorded run (DIR/run.json
// holds the arguments), by `gate --confirm`.
#pragma once

#include <boost/program_options.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "harness/runner/plan.hpp"
#include "harness/runner/precision.hpp"
#include "harness/runner/runner.hpp"

namespace allocscope {

struct RunSetup {
  boost::program_options::variables_map vm;
  RunOptions opt;  // owns the adapters that req.allocators point to: never copied
  PlanRequest req;
  std::vector<Job> jobs;   // this shard's jobs (all when not sharded)
  size_t matrix_size = 0;  // jobs in the full matrix
  Shard shard;
  std::optional<PrecisionOptions> precision;  // --precision: rounds added until reached
  std::string suite_names;
  // The named suites' measurement directives (first suite that sets each),
  // applied where the command line is silent.
  struct SuiteDefaults {
    double precision = 0, max_time = 0, min_window_ms = 0;  // 0 = not set
  } suite_defaults;
  nlohmann::ordered_json calibration;  // context.calibration (--min-window); null when none
  bool help = false;                   // --help was given and printed
  RunSetup() = default;
  RunSetup(const RunSetup&) = delete;
  RunSetup& operator=(const RunSetup&) = delete;
};

// The options of `allocscope run` (also the names a --config file may use).
boost::program_options::options_description run_options();

// What setup_run does about --min-window: measure a calibration (a new run),
// apply the one a run recorded in its context (resume, gate --confirm), or
// neither (arguments checked only, e.g. by slurm submit).
struct CalibrationSource {
  enum Mode { Measure, Recorded, None } mode = Measure;
  nlohmann::ordered_json recorded;  // the run's context.calibration, for Recorded
};

// Parses `allocscope run` arguments (without the subcommand) and builds the
// plan; throws InputError. Does not create the output folder. With
// --min-window and CalibrationSource::Measure it runs the calibration jobs.
std::unique_ptr<RunSetup> setup_run(const std::vector<std::string>& args, const std::vector<std::string>& exec_argv,
                                    const CalibrationSource& calibration = {});

}  // namespace allocscope
